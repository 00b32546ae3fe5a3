"""Where the warehouse's SQL lives: `sql/`, shipped inside the package as `pipelines/sql`."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


def _sql_dir() -> Path:
    # An installed wheel carries sql/ as package data; a source checkout has it at the top.
    packaged = Path(str(files("pipelines"))) / "sql"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "sql"


SQL_DIR = _sql_dir()
QUERIES_DIR = SQL_DIR / "queries"


@cache
def _sql_file(folder: str, name: str) -> str:
    return (SQL_DIR / folder / f"{name}.sql").read_text(encoding="utf-8")


def ingest_statement(name: str, **identifiers: str) -> str:
    """sql/ingest/<name>.sql with its {placeholders} filled in: table and column names and
    expressions the loader builds from the contract, never a value (values are bound)."""
    return _sql_file("ingest", name).format(**identifiers)


def derived_statement(name: str) -> str:
    """sql/derived/<name>.sql: a statement that rebuilds a derived table after a load."""
    return _sql_file("derived", name)


@cache
def named_query(name: str) -> str:
    """The text of sql/queries/<name>.sql: the parameterised queries the readers run."""
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")

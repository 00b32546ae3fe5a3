"""The warehouse's schema: core tables from the contract, the SQL layers of sql/, indexes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

from pipelines.contract import KINDS, Column, ColumnKind, SourceKind, columns
from pipelines.sqlfiles import SQL_DIR

# Kinds whose every version is kept as history, beside the current version.
HISTORY_KINDS = frozenset({"claims", "enablements"})
# Where each row came from: the load, the line, the export's date.
LINEAGE_COLUMNS = ("load_id integer not null", "line bigint not null", "file_date date not null")


SQL_TYPES = {
    ColumnKind.DATE: "date",
    ColumnKind.DATETIME: "timestamp",
    ColumnKind.BOOLEAN: "boolean",
}


def sql_type(column: Column) -> str:
    return SQL_TYPES.get(column.kind, "varchar")


def core_table_ddl(kind: SourceKind, table: str) -> str:
    """CREATE TABLE for one kind's entity table, its columns straight from the contract."""
    cols = [f"{column.name} {sql_type(column)}" for column in columns(kind.model)]
    extra = ["row_hash ubigint not null"] if kind.name in HISTORY_KINDS else []
    body = ",\n    ".join(cols + list(LINEAGE_COLUMNS) + extra)
    return f"create table if not exists {table} (\n    {body}\n);"


def temp_table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the connection holds a temporary table of this name (a load's notes)."""
    [(found,)] = con.execute(
        "select count(*) from duckdb_tables() where temporary and table_name = $1", [name]
    ).fetchall()
    return bool(found)


def sql_files(layer: str) -> list[Path]:
    return sorted((SQL_DIR / layer).glob("*.sql"))


def run_sql_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(path.read_text(encoding="utf-8"))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or update every table, macro and view: schema, core entities, core views, marts."""
    for path in sql_files("schema"):
        run_sql_file(con, path)
    for kind in KINDS:
        con.execute(core_table_ddl(kind, f"core.{kind.name}"))
        if kind.name in HISTORY_KINDS:
            con.execute(core_table_ddl(kind, f"core.{kind.name}_versions"))
    for layer in ("core", "marts"):
        for path in sql_files(layer):
            run_sql_file(con, path)
    create_indexes(con)


SCHEMA_LAYERS = ("schema", "core", "marts", "indexes")


def schema_fingerprint() -> str:
    """A digest of every SQL file and table definition of the warehouse: a new release
    changes it."""
    digest = hashlib.sha256()
    for layer in SCHEMA_LAYERS:
        for path in sql_files(layer):
            digest.update(f"{layer}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    for kind in KINDS:
        digest.update(core_table_ddl(kind, kind.name).encode())
    return digest.hexdigest()


def schema_changed(con: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    """Whether the warehouse's tables, macros and views were written by other SQL than this
    release's (or not written yet)."""
    [(recorded,)] = con.execute(
        """select count(*) from duckdb_tables()
           where database_name = current_database() and schema_name = 'raw'
             and table_name = 'schema_version'"""
    ).fetchall()
    if not recorded:
        return True
    stored = con.execute("select max(fingerprint) from raw.schema_version").fetchall()[0][0]
    return stored != fingerprint


def create_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """The point-lookup indexes of sql/indexes (kept out of bulk loads, built once after)."""
    for path in sql_files("indexes"):
        run_sql_file(con, path)


def indexes_missing(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether an index of sql/indexes is missing (a warehouse from an earlier release)."""
    wanted = {
        name for path in sql_files("indexes")
        for name in re.findall(r"create index if not exists (\w+)", path.read_text("utf-8"))
    }
    present = {name for (name,) in con.execute(
        "select index_name from duckdb_indexes() where database_name = current_database()"
    ).fetchall()}
    return bool(wanted - present)


def drop_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the indexes create_indexes makes, so that a bulk load does not maintain them."""
    for schema, name in con.execute(
        """select schema_name, index_name from duckdb_indexes()
           where database_name = current_database() and schema_name in ('core', 'marts')"""
    ).fetchall():
        con.execute(f'drop index {schema}."{name}"')

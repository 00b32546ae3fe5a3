"""`kasko sql compile`: the SQL that the contract generates, written out to be read.

The staging SELECT of each export kind and the core tables are generated from
pipelines/contract.py when a file is loaded (a staging SELECT follows the file's own
column order). Compiled here for the contract's column order, they sit in sql/ beside the
hand-written layers, so that all five layers can be read; a test keeps them in sync.
They are never executed from these files.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.contract import KINDS, columns
from pipelines.ingest.staging import staging_select
from pipelines.warehouse.schema import HISTORY_KINDS, core_table_ddl

GENERATED = "-- Generated from pipelines/contract.py by `kasko sql compile`; do not edit.\n"


def _staging(kind_name: str) -> str:
    kind = next(k for k in KINDS if k.name == kind_name)
    contract = columns(kind.model)
    headers = [column.header for column in contract]
    positions = {column.name: index for index, column in enumerate(contract)}
    # as an XLSX is staged: with the line-break checks a CSV without quotes does not need
    select = staging_select(kind, positions, headers, f"raw_{kind.name}", numbered=True,
                            line_breaks=True)
    lines = [line[8:] if line.startswith(" " * 8) else line for line in select.splitlines()]
    return (
        GENERATED
        + f"-- Staging of `{kind.prefix}*` exports: one row per line of raw_{kind.name}, the\n"
        + "-- file's cells c0, c1, ... in the contract's column order; renamed, cast,\n"
        + "-- normalised, with every reason the row is quarantined for. $file_date is the\n"
        + "-- export's date, which bounds the plausible dates.\n"
        + "\n".join(lines).strip("\n") + "\n"
    )


def _core(kind_name: str) -> str:
    kind = next(k for k in KINDS if k.name == kind_name)
    tables = [core_table_ddl(kind, f"core.{kind.name}")]
    if kind.name in HISTORY_KINDS:
        tables.append(core_table_ddl(kind, f"core.{kind.name}_versions"))
    what = "current rows, then every version" if kind.name in HISTORY_KINDS else "current rows"
    return GENERATED + f"-- core.{kind.name}: {what}.\n" + "\n\n".join(tables) + "\n"


def compiled() -> dict[str, str]:
    """Relative path under sql/ -> the text of each compiled file."""
    files = {}
    for kind in KINDS:
        files[f"staging/stg_{kind.name}.sql"] = _staging(kind.name)
        files[f"core/tables/{kind.name}.sql"] = _core(kind.name)
    return files


def write_compiled(sql_dir: Path) -> list[Path]:
    written = []
    for relative, text in compiled().items():
        path = sql_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

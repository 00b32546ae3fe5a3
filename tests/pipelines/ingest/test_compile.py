"""`kasko sql compile`: the generated staging and core SQL in sql/ is what the loader runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.cli import main
from pipelines.ingest.compile import compiled
from pipelines.sqlfiles import SQL_DIR
from pipelines.warehouse.schema import ensure_schema

VALID_IMEI = "356938035643809"


def test_the_compiled_files_in_sql_are_up_to_date() -> None:
    files = compiled()
    assert {path.split("/")[0] for path in files} == {"staging", "core"}
    stale = [path for path, text in files.items()
             if (SQL_DIR / path).read_text(encoding="utf-8") != text]
    assert not stale, f"run `kasko sql compile`: {stale} differ from the contract"


def test_kasko_sql_compile_writes_every_file(tmp_path: Path, capsys) -> None:
    assert main(["sql", "compile", "--out", str(tmp_path)]) == 0
    written = capsys.readouterr().out.split()
    assert sorted(written) == sorted(str(tmp_path / path) for path in compiled())
    assert (tmp_path / "staging" / "stg_claims.sql").read_text() == compiled()[
        "staging/stg_claims.sql"]
    assert main(["sql", "compile", "--out", str(tmp_path / "missing")]) == 2


def test_the_compiled_staging_runs_and_says_why_a_row_is_quarantined() -> None:
    con = duckdb.connect()
    ensure_schema(con)  # the parsing macros the staging calls
    headers = 11  # dispositivi: the contract's columns, in its order
    values = [
        ("C1", "+39 335 123 4567", VALID_IMEI, "Apple", "iPhone 15", "Smartphone", "Attiva",
         "01/02/2025", "01/02/2027", "Anna Rossi", "anna@rossi.it"),
        ("C1", "3351234568", "3,52E+14", "Apple", "iPhone 15", "Tablet", "Sospesa",
         "01/02/2025", "31/02/2027", None, None),
    ]
    rows = pd.DataFrame(values, columns=[f"c{i}" for i in range(headers)], dtype="string")
    rows.insert(0, "line", [2, 3])
    con.register("rows", rows)
    con.execute("create table raw_devices as select * from rows")
    # the export's date bounds the plausible dates
    staged = con.execute(compiled()["staging/stg_devices.sql"],
                         {"file_date": date(2026, 11, 30)}).df()
    first, second = staged.to_dict("records")
    assert (first["nmu"], first["imei"], list(first["reasons"])) == (
        "3351234567", VALID_IMEI, [])
    assert sorted(reason.split(":")[0] for reason in second["reasons"]) == [
        "invalid_date", "invalid_imei", "unknown_value"]

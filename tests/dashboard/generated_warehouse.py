"""A small generated warehouse, built once per test process, and AppTest helpers for its pages."""

from __future__ import annotations

import atexit
import base64
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.access.auth import principal_for_login
from dashboard.access.principal import Principal
from pipelines.appstate import accounts
from pipelines.demo import DEMO_ACCOUNTS, generate
from pipelines.ingest.load import load_paths
from pipelines.warehouse import connect_read_only

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
# Small, but with a few customers per account manager and two years of claims.
CUSTOMERS, DEVICES, CLAIMS = 30, 800, 400


@cache
def generated_warehouse() -> Path:
    """Generated exports (up to yesterday) loaded into a warehouse; demo accounts have passwords."""
    folder = Path(tempfile.mkdtemp(prefix="kasko-pages-"))
    atexit.register(shutil.rmtree, folder, True)
    exports = generate(folder / "exports", customers=CUSTOMERS, devices=DEVICES, claims=CLAIMS)
    db = folder / "kasko.duckdb"
    results = load_paths(exports, db)
    assert [r.error for r in results if r.error] == []
    for login, (_, password) in DEMO_ACCOUNTS.items():
        accounts.set_password(db, login, password)
    return db


def principal(db: Path, login: str) -> Principal:
    """The Principal of a login as core.users describes it."""
    found = principal_for_login(db, login)
    assert found is not None, login
    return found


def query(db: Path, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
    """A read-only query on the warehouse, the same way the dashboard opens it."""
    con: duckdb.DuckDBPyConnection = connect_read_only(db)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def signed_in(who: Principal) -> AppTest:
    """The dashboard, run once (its default page) with `who` signed in."""
    app = AppTest.from_file(str(APP), default_timeout=60)
    now = accounts.local_now()
    app.session_state["principal"] = who
    app.session_state["signed_in_at"] = now
    app.session_state["last_activity_at"] = now
    return run(app)


def run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_page(app: AppTest, page: str) -> AppTest:
    """Switch to screens/<page>.py (ValueError when navigation does not list it) and run it."""
    return run(app.switch_page(f"screens/{page}.py"))


def metrics(app: AppTest) -> dict[str, str]:
    """Every KPI tile shown: label -> value as displayed."""
    return {tile.label: tile.value for tile in app.metric}


def table_with(app: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe shown that has this column."""
    return next(table.value for table in app.dataframe if column in table.value.columns)


def tables_with(app: AppTest, column: str) -> list[pd.DataFrame]:
    return [table.value for table in app.dataframe if column in table.value.columns]


def chart_values(trace: dict[str, Any], axis: str) -> list[Any]:
    """A plotly trace's x or y values, decoded when plotly sent them as a typed array."""
    values = trace[axis]
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)

"""PostgreSQL lost while the dashboard serves: an Italian error, then the pages come back alone."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access.auth import principal_for_login
from dashboard.access.session_routes import sign_in_route
from deploy.replicas import PostgresCluster, free_port
from pipelines import appstate
from pipelines.appstate import accounts
from pipelines.demo import DEMO_ACCOUNTS, generate
from pipelines.ingest.load import load_paths
from tests.form_posts import posted

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
UNREACHABLE = "Il database dell'applicazione non è raggiungibile"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, PostgresCluster]]:
    folder = Path(tempfile.mkdtemp(prefix="kasko-outage-"))
    folder.chmod(0o755)  # the cluster's own user must reach its folder inside
    cluster = PostgresCluster(folder / "postgresql", free_port()).start()
    try:
        exports = generate(folder / "exports", customers=4, devices=40, claims=20)
        warehouse = folder / "kasko.duckdb"
        assert [r.error for r in load_paths(exports, warehouse) if r.error] == []
        monkeypatch.setenv("KASKO_DB", str(warehouse))
        monkeypatch.setenv(appstate.APP_DB_ENV,
                           cluster.url(with_password=True).render_as_string(hide_password=False))
        yield warehouse, cluster
    finally:
        appstate.forget_stores()
        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def errors(app: AppTest) -> list[str]:
    assert not app.exception, [e.value for e in app.exception]
    return [error.value for error in app.error]


def test_pages_show_an_italian_error_and_recover(served: tuple[Path, PostgresCluster]) -> None:
    warehouse, cluster = served
    password = DEMO_ACCOUNTS["mandatario@kasko.demo"][1]
    accounts.set_password(warehouse, "mandatario@kasko.demo", password)
    who = principal_for_login(warehouse, "mandatario@kasko.demo")
    assert who is not None
    app = AppTest.from_file(str(APP), default_timeout=60)
    now = accounts.local_now()
    app.session_state["principal"] = who
    app.session_state["signed_in_at"] = now
    app.session_state["last_activity_at"] = now
    app.run()
    app.switch_page("screens/enablement.py").run()
    assert errors(app) == []
    assert [title.value for title in app.title] == ["Abilitazioni"]
    assert len(app.dataframe) == 2  # the lines and the audit trail

    cluster.stop("immediate")
    app.run()
    shown = errors(app)
    assert len(shown) == 1 and shown[0].startswith(UNREACHABLE)
    assert len(app.dataframe) == 0  # none of the page's content, no traceback

    # sign-in needs the store too: the form comes back with the same message, not with
    # "wrong password", and no cookie is set
    answer = asyncio.run(sign_in_route(posted(
        "/api/accedi", {"login": "mandatario@kasko.demo", "password": password, "dopo": "/sla"})))
    assert answer.status_code == 303 and "set-cookie" not in answer.headers
    assert answer.headers["location"] == "/?errore=archivio&dopo=%2Fsla"
    signing_in = AppTest.from_file(str(APP), default_timeout=60)
    signing_in.query_params["errore"] = "archivio"
    signing_in.run()
    assert [e for e in errors(signing_in) if e.startswith(UNREACHABLE)]

    cluster.start()
    app.run()  # what the page's 5-second check does once the store answers
    assert errors(app) == []
    assert [title.value for title in app.title] == ["Abilitazioni"]
    assert len(app.dataframe) == 2

"""The Abilitazioni page, run headless with AppTest over the hand-written access fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import data
from dashboard.access.principal import Principal
from pipelines.appstate import accounts
from pipelines.ingest.load import load_paths

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
FIXTURES = Path(__file__).parent / "fixtures" / "access"

MANAGEMENT = Principal("direzione@carrier.it", "Marta Direzione", "Management")
MANDATARIO_BETA = Principal("mandatario@beta.it", "Mario Mandatario", "Mandatario", "Y002")
MASTER_BETA = Principal("master@beta.it", "Maria Master", "Master", "Y002")
# Studio Alfa is a Professionisti customer: its Mandatario may not change lines
MANDATARIO_ALFA = Principal("mandatario@alfa.it", "Marco Delegato", "Mandatario", "X001")
BETA_ENABLED, BETA_NEVER_ENABLED = "3332000001", "3332000002"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("enablement") / "kasko.duckdb"
    results = load_paths([FIXTURES], db)
    assert [r.error for r in results if r.error] == []
    return db


@pytest.fixture
def warehouse(loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy per test: changes go to an app database beside it, which must start empty."""
    db = tmp_path / "kasko.duckdb"
    shutil.copyfile(loaded, db)
    monkeypatch.setenv("KASKO_DB", str(db))
    return db


def open_page(principal: Principal, **query: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    now = accounts.local_now()
    app.session_state["principal"] = principal
    app.session_state["signed_in_at"] = now
    app.session_state["last_activity_at"] = now
    run(app)  # the first run lists the pages; then the page can be opened
    for name, value in query.items():
        app.query_params[name] = value
    return run(app.switch_page("screens/enablement.py"))


def run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def lines_table(app: AppTest):
    return next(t for t in app.dataframe if "enabled" in t.value.columns)


def audit_table(app: AppTest) -> pd.DataFrame:
    return next(t.value for t in app.dataframe if "enabled_after" in t.value.columns)


def button_labels(app: AppTest) -> list[str]:
    return [b.label for b in app.button]


def change(app: AppTest, rows: list[int], button: str) -> AppTest:
    """Select table rows, press Abilita or Disabilita, then confirm in the dialog."""
    app.session_state[lines_table(app).key] = {"selection": {"rows": rows, "columns": []}}
    run(app)
    app.button(key=button).click()
    run(app)
    assert "Conferma" in button_labels(app)
    app.button(key="enablement_confirm").click()
    return run(app)


def test_lines_show_device_assignee_and_enabled_state(warehouse: Path) -> None:
    app = open_page(MANDATARIO_BETA)
    lines = lines_table(app).value
    assert list(lines["nmu"]) == [BETA_ENABLED, BETA_NEVER_ENABLED]
    # in words: the selection's checkbox is the only one in the table
    assert list(lines["enabled"]) == ["✅ Abilitata", "❌ Non abilitata"]
    config = lines_table(app).proto.columns
    assert '"enabled": {"label": "Abilitata", "type_config": {"type": "text"' in config, config
    assert list(lines["assignee"]) == ["Fabio Gialli", "Gina Rosa"]
    assert list(lines["device"]) == ["Samsung Galaxy A55", "Apple iPhone 14"]
    assert "2 linee · 1 abilitata ad aprire pratiche" in [c.value for c in app.caption]
    assert [s.label for s in app.selectbox] == []  # one customer: no selector


def test_search_by_line_number(warehouse: Path) -> None:
    app = open_page(MANDATARIO_BETA)
    app.text_input(key="cerca").input(BETA_NEVER_ENABLED)
    run(app)
    assert list(lines_table(app).value["nmu"]) == [BETA_NEVER_ENABLED]
    app.text_input(key="cerca").input("999")
    run(app)
    assert [i.value for i in app.info] == ["Nessuna linea corrisponde ai filtri."]


def test_search_by_brand_and_by_brand_with_model(warehouse: Path) -> None:
    app = open_page(MANDATARIO_BETA)
    for typed in ("Samsung", "samsung galaxy", "Galaxy A55"):
        app.text_input(key="cerca").input(typed)
        run(app)
        assert list(lines_table(app).value["nmu"]) == [BETA_ENABLED], typed


def test_filter_by_enablement_state(warehouse: Path) -> None:
    app = open_page(MANDATARIO_BETA, stato_linee="Non abilitate")
    assert list(lines_table(app).value["nmu"]) == [BETA_NEVER_ENABLED]
    app.segmented_control(key="stato_linee").set_value("abilitate")
    run(app)
    assert list(lines_table(app).value["nmu"]) == [BETA_ENABLED]


def test_the_confirmation_names_who_uses_each_line(warehouse: Path) -> None:
    app = open_page(MANDATARIO_BETA)
    app.session_state[lines_table(app).key] = {"selection": {"rows": [0, 1], "columns": []}}
    run(app)
    app.button(key="disable").click()
    run(app)
    assert f"- {BETA_ENABLED} — Fabio Gialli\n- {BETA_NEVER_ENABLED} — Gina Rosa" in [
        m.value for m in app.markdown]


def test_a_mandatario_enables_a_line_and_the_change_is_audited(warehouse: Path) -> None:
    app = open_page(MANDATARIO_BETA)
    assert audit_table(app)["nmu"].tolist() == [BETA_ENABLED]  # from the export
    change(app, [1], "enable")
    assert [t.value for t in app.toast] == ["1 linea abilitata"]
    # the table shows the new state at once: the cached answers were dropped
    assert list(lines_table(app).value["enabled"]) == ["✅ Abilitata"] * 2
    trail = data.audit_trail(MANDATARIO_BETA, "Y002", warehouse=warehouse)
    newest = trail.iloc[0]
    assert (newest["nmu"], newest["changed_by"], newest["source"]) == (
        BETA_NEVER_ENABLED, "mandatario@beta.it", "dashboard")
    assert pd.isna(newest["enabled_before"]) and bool(newest["enabled_after"]) is True
    shown = audit_table(app)
    assert shown["nmu"].tolist() == [BETA_NEVER_ENABLED, BETA_ENABLED]  # newest first
    assert shown.iloc[0][["enabled_before", "enabled_after", "source"]].tolist() == [
        "—", "✅ Abilitata", "Dashboard"]


def test_disabling_records_before_and_after(warehouse: Path) -> None:
    app = open_page(MANDATARIO_BETA)
    change(app, [0, 1], "disable")
    # only the line that was enabled changes
    assert [t.value for t in app.toast] == ["1 linea disabilitata"]
    assert list(lines_table(app).value["enabled"]) == ["❌ Non abilitata"] * 2
    newest = data.audit_trail(MANDATARIO_BETA, "Y002", warehouse=warehouse).iloc[0]
    assert newest["nmu"] == BETA_ENABLED
    assert (bool(newest["enabled_before"]), bool(newest["enabled_after"])) == (True, False)


def test_cancelling_changes_nothing(warehouse: Path) -> None:
    app = open_page(MANDATARIO_BETA)
    app.session_state[lines_table(app).key] = {"selection": {"rows": [1], "columns": []}}
    run(app)
    app.button(key="enable").click()
    run(app)
    app.button(key="enablement_cancel").click()
    run(app)
    assert "Conferma" not in button_labels(app)
    assert len(data.audit_trail(MANDATARIO_BETA, "Y002", warehouse=warehouse)) == 1


def test_a_master_sees_the_lines_read_only(warehouse: Path) -> None:
    app = open_page(MASTER_BETA)
    assert list(lines_table(app).value["enabled"]) == ["✅ Abilitata", "❌ Non abilitata"]
    assert not {"Abilita", "Disabilita", "Conferma"} & set(button_labels(app))
    assert lines_table(app).proto.selection_mode == []
    assert [i.value for i in app.info][0].startswith("Sola lettura")
    assert audit_table(app)["nmu"].tolist() == [BETA_ENABLED]


def test_a_refused_change_says_so_and_records_nothing(warehouse: Path) -> None:
    app = open_page(MANDATARIO_ALFA)
    change(app, [0], "enable")
    assert [e.value for e in app.error] == [data.REFUSED]
    assert [t.value for t in app.toast] == []
    assert data.audit_trail(MANDATARIO_ALFA, "X001", warehouse=warehouse)["source"].tolist() == [
        "export", "export", "export"]


def test_management_chooses_among_every_customer_read_only(warehouse: Path) -> None:
    app = open_page(MANAGEMENT, cliente_linee="Studio Alfa (X001)")
    assert app.selectbox(key="cliente_linee").value == "X001"
    assert list(lines_table(app).value["nmu"]) == ["3331000001", "3331000002", "3331000003"]
    assert list(lines_table(app).value["enabled"]) == [
        "✅ Abilitata", "❌ Non abilitata", "❌ Non abilitata"]
    assert not {"Abilita", "Disabilita"} & set(button_labels(app))

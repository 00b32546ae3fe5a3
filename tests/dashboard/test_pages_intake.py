"""Richiedi assistenza, run headless with AppTest, for every profile."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import auth
from dashboard.access.principal import Principal
from dashboard.app_pages import PAGES
from pipelines.appstate import accounts
from tests.dashboard.intake_support import build_intake_warehouse

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
KP = re.compile(r"KP-\d{4}-\d{7}")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_intake_warehouse(tmp_path_factory.mktemp("intake_pages") / "kasko.duckdb")


@pytest.fixture
def warehouse(loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "kasko.duckdb"
    shutil.copyfile(loaded, db)
    monkeypatch.setenv("KASKO_DB", str(db))
    return db


def who(db: Path, login: str) -> Principal:
    found = auth.principal_for_login(db, login)
    assert found is not None
    return found


def run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_form(principal: Principal) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    now = accounts.local_now()
    app.session_state["principal"] = principal
    app.session_state["signed_in_at"] = now
    app.session_state["last_activity_at"] = now
    run(app)
    return run(app.switch_page("screens/intake.py"))


def texts(app: AppTest) -> str:
    return "\n".join([m.value for m in app.markdown] + [e.value for e in app.error]
                     + [w.value for w in app.warning] + [s.value for s in app.success]
                     + [i.value for i in app.info] + [c.value for c in app.caption])


def intake_listed(principal: Principal) -> bool:
    return next(spec for spec in PAGES if spec.name == "intake").allowed(principal)


@pytest.mark.parametrize("login", ["direzione@carrier.it", "anna.am@carrier.it"])
def test_carrier_staff_do_not_get_the_page(warehouse: Path, login: str) -> None:
    assert not intake_listed(who(warehouse, login))


def test_a_mandatario_opens_a_fault_at_an_assistance_point(warehouse: Path) -> None:
    mandatario = who(warehouse, "mandatario@beta.it")
    assert intake_listed(mandatario)
    app = open_form(mandatario)
    assert app.title[0].value == "Richiedi assistenza"
    app.text_input(key="ra_cerca_imei").input("2200")
    run(app)
    # only devices with active protection today are offered, within the customer's fleet
    assert app.selectbox(key="ra_dispositivo").options == [
        "IMEI 352099220000034 · Samsung Galaxy S25 · linea 3332000003 · Mario Mandatario",
        "IMEI 352099220000059 · Google Pixel 9 · linea 3332000005 · Gino Verde",
    ]
    app.multiselect(key="ra_causali").select("Batteria").select("Software")
    app.text_input(key="ra_luogo").input("mi")
    run(app)
    assert app.selectbox(key="ra_punto").options == [
        "Centro Assistenza Milano Duomo · Piazza Duomo 1, Milano (MI)"]
    app.button(key="ra_invia").click()
    run(app)
    [success] = app.success
    assert KP.search(success.value)
    assert "Consegna del sostitutivo prevista entro il" in texts(app)
    # a rerun (another widget, an upload finishing) keeps the confirmation: the device now
    # has this very request open, which is no refusal to show
    run(app)
    assert [s.value for s in app.success] == [success.value] and not app.error
    app.button(key="ra_altra").click()
    run(app)
    assert not app.success and app.text_input(key="ra_cerca_imei").value == ""


def test_a_fault_needs_a_cause(warehouse: Path) -> None:
    app = open_form(who(warehouse, "master@beta.it"))
    app.text_input(key="ra_cerca_imei").input("220000034")
    run(app)
    app.text_input(key="ra_luogo").input("Milano")
    run(app)
    app.button(key="ra_invia").click()
    run(app)
    assert [e.value for e in app.error] == ["Indicare almeno una causale del guasto."]
    assert not app.success


def test_the_legal_representative_adds_an_address_and_sees_when_others_will(
    warehouse: Path,
) -> None:
    app = open_form(who(warehouse, "legale@alfa.it"))
    app.radio(key="ra_tipo").set_value("Furto/Smarrimento")
    app.text_input(key="ra_cerca_imei").input("3520991100")
    run(app)
    # a device with an open claim is refused, with a link to that claim
    app.selectbox(key="ra_dispositivo").select("352099110000011")
    run(app)
    assert "Per questo dispositivo è già aperta la pratica RK-1001." in texts(app)
    assert "/monitoraggio?vista=history&numero=RK-1001" in texts(app)
    app.selectbox(key="ra_dispositivo").select("352099110000045")
    run(app)
    assert "Scarica il modulo di blocco da firmare" in [
        b.proto.label for b in app.get("download_button")]
    app.radio(key="ra_consegna").set_value("Sede azienda")
    run(app)
    assert app.selectbox(key="ra_indirizzo").options == ["Via Nazionale 40, 00184 Roma (RM)"]
    app.checkbox(key="ra_nuovo_indirizzo").check()
    run(app)
    for key, value in (("ra_via", "Via Merulana 20"), ("ra_cap", "00185"), ("ra_comune", "Roma"),
                       ("ra_provincia", "rm")):
        app.text_input(key=key).input(value)
    app.button(key="ra_invia").click()
    run(app)
    shown = texts(app)
    assert KP.search(app.success[0].value)
    assert ("Per avviare la pratica mancano: Documento identità, Denuncia, Modulo blocco"
            in shown)
    assert "Il nuovo indirizzo sarà visibile agli altri utenti dell'azienda dal" in shown


def test_other_users_choose_among_addresses_but_add_none(warehouse: Path) -> None:
    app = open_form(who(warehouse, "amministratore@alfa.it"))
    app.text_input(key="ra_cerca_imei").input("0045")
    run(app)
    app.radio(key="ra_consegna").set_value("Sede azienda")
    run(app)
    assert not [c for c in app.checkbox if c.key == "nuovo_indirizzo"]
    assert app.selectbox(key="ra_indirizzo").options == ["Via Nazionale 40, 00184 Roma (RM)"]


def test_an_enabled_employee_names_their_own_whole_imei(warehouse: Path) -> None:
    app = open_form(who(warehouse, "gino.verde@beta.it"))
    assert not [t for t in app.text_input if t.key == "cerca_imei"]
    app.text_input(key="ra_imei_dipendente").input("352099220000034")  # a colleague's
    run(app)
    assert [e.value for e in app.error] == ["Dispositivo non trovato."]
    app.text_input(key="ra_imei_dipendente").input("35209922000005")  # partial digits
    run(app)
    assert [e.value for e in app.error] == ["Dispositivo non trovato."]
    app.text_input(key="ra_imei_dipendente").input("352099220000059")
    run(app)
    assert not app.error
    app.multiselect(key="ra_causali").select("Display rotto")
    app.text_input(key="ra_luogo").input("RM")
    run(app)
    app.button(key="ra_invia").click()
    run(app)
    assert KP.search(app.success[0].value)


def test_an_employee_whose_line_is_disabled_is_told_so(warehouse: Path) -> None:
    app = open_form(who(warehouse, "dario.neri@alfa.it"))
    assert "non è abilitata ad aprire pratiche" in app.warning[0].value
    assert not app.text_input

"""The Monitoraggio ticket page, run headless with AppTest over the hand-written access fixtures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import views
from dashboard.access import data
from dashboard.access.principal import Principal
from dashboard.tables import claims_export
from pipelines.appstate import accounts
from pipelines.ingest.load import load_paths

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
FIXTURES = Path(__file__).parent / "fixtures" / "access"
AS_OF = date(2025, 3, 14)  # RK-1001 breached, RK-1004 at risk, RK-1003 on track

MANAGEMENT = Principal("direzione@carrier.it", "Marta Direzione", "Management")
LEGALE_ALFA = Principal("legale@alfa.it", "Luca Legale", "Rappresentante Legale", "X001")
MANDATARIO_BETA = Principal("mandatario@beta.it", "Mario Mandatario", "Mandatario", "Y002")
CARLA = Principal("carla.verdi@alfa.it", "Carla Verdi", "Dipendente", "X001", "3331000001")
CARLA_IMEI = "352099110000011"
OTHER_ALFA_IMEI = "352099110000029"  # Dario Neri's device, same customer


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("monitoring") / "kasko.duckdb"
    results = load_paths([FIXTURES], db)
    assert [r.error for r in results if r.error] == []
    return db


@pytest.fixture
def page(warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    """An unstarted AppTest of the dashboard signed in as a principal, figures as of AS_OF."""
    monkeypatch.setenv("KASKO_DB", str(warehouse))

    def signed_in(principal: Principal, **query: str | list[str]) -> AppTest:
        app = AppTest.from_file(str(APP), default_timeout=30)
        now = accounts.local_now()
        app.session_state["principal"] = principal
        app.session_state["signed_in_at"] = now
        app.session_state["last_activity_at"] = now
        app.session_state["al"] = AS_OF
        for name, value in query.items():
            app.query_params[name] = value
        return app

    return signed_in


def run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def numbers(app: AppTest) -> list[str]:
    """The request numbers of the claims table, in the order shown."""
    tables = [t for t in app.dataframe if "request_number" in t.value.columns]
    return list(tables[0].value["request_number"]) if tables else []


def claims_frame(app: AppTest):
    return next(t.value for t in app.dataframe if "request_number" in t.value.columns)


def dialogs(node) -> list[str]:
    """The titles of the open dialogs in an AppTest tree (AppTest has no accessor for them)."""
    found = []
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "WhichOneof") and "type" in {
        field.name for field in getattr(proto.DESCRIPTOR, "oneofs", ())
    } and proto.WhichOneof("type") == "dialog" and proto.dialog.is_open:
        found.append(proto.dialog.title)
    for child in getattr(node, "children", {}).values():
        found += dialogs(child)
    return found


def captions(app: AppTest) -> list[str]:
    return [c.value for c in app.caption]


def texts(app: AppTest) -> str:
    """Every markdown, caption and alert the page shows, as one text."""
    parts = [m.value for m in app.markdown] + [a.value for a in (*app.info, *app.warning)]
    return "\n".join(str(p) for p in parts)


def test_monitoring_is_the_default_view_sorted_by_urgency(page) -> None:
    app = run(page(MANAGEMENT))
    # closed (RK-1002) and rejected (RK-3001) claims are history only; sla.md's order:
    # breached, at risk, waiting for documents, on track, waiting to be collected last
    assert numbers(app) == ["RK-1001", "RK-1004", "RK-2002", "RK-1003", "RK-2001"]
    assert "5 pratiche · dalle più urgenti · seleziona una riga per il dettaglio" in captions(app)
    frame = claims_frame(app)
    assert list(frame["sla_badge"]) == [
        "🔴 Violato", "🟠 A rischio", "⚪ In attesa documenti", "🟢 In tempo", "✅ Rispettato",
    ]
    remaining = frame["business_days_remaining"]
    assert [None if pd.isna(days) else int(days) for days in remaining] == [None, 2, None, 4, None]


def test_columns_have_italian_labels_and_formats(page) -> None:
    app = run(page(MANAGEMENT))
    table = next(t for t in app.dataframe if "request_number" in t.value.columns)
    config = json.loads(table.proto.columns)
    shown = [name for name in table.value.columns if not config[name].get("hidden")]
    labels = {name: config[name]["label"] for name in shown}
    assert "Cliente" in labels.values()  # several customers: the customer column is shown
    assert labels["due_date"] == "Consegna entro"
    assert labels["request_number"] == "Numero richiesta"
    assert labels["business_days_remaining"] == "Gg rim."
    assert config["due_date"]["type_config"]["format"] == "DD/MM/YYYY"
    assert config["business_days_remaining"]["type_config"]["type"] == "number"
    assert all("_" not in label for label in labels.values()), labels


def test_switching_to_history_shows_every_claim(page) -> None:
    app = run(page(MANAGEMENT))
    app.segmented_control(key="vista").set_value("history")
    run(app)
    # Storico: newest first, by opening
    frame = claims_frame(app)
    assert sorted(numbers(app)) == ["RK-1001", "RK-1002", "RK-1003", "RK-1004", "RK-2001",
                                    "RK-2002", "RK-3001"]
    opened = list(frame["opened_date"])
    assert opened == sorted(opened, reverse=True) and opened[0] > opened[-1]
    assert "7 pratiche · dalle più recenti · seleziona una riga per il dettaglio" in captions(app)


def test_a_status_filter_changes_the_table(page) -> None:
    app = run(page(MANAGEMENT))
    app.multiselect(key="stato").select("In lavorazione")
    run(app)
    assert numbers(app) == ["RK-1001", "RK-1004"]
    assert set(claims_frame(app)["status"]) == {"In lavorazione"}
    app.multiselect(key="stato").unselect("In lavorazione").select("Aperta")
    run(app)
    assert numbers(app) == ["RK-1003"]


def test_the_customer_filter_is_offered_only_when_there_are_several(page) -> None:
    app = run(page(MANAGEMENT))
    customer = app.selectbox(key="cliente")
    assert customer.options == ["Beta Industrie SpA (Y002)", "Gamma Logistica Srl (Z003)",
                                "Studio Alfa (X001)"]
    customer.set_value("Y002")
    run(app)
    assert numbers(app) == ["RK-2002", "RK-2001"]
    single = run(page(MANDATARIO_BETA))
    assert [s.label for s in single.selectbox] == []
    assert numbers(single) == ["RK-2002", "RK-2001"]


def test_the_imei_filter_finds_its_claim_and_opens_it(page) -> None:
    app = run(page(MANDATARIO_BETA, vista="Storico"))
    app.text_input(key="imei").input("352099220000026")
    run(app)
    assert numbers(app) == ["RK-2002"]
    assert "1 pratica · dalle più recenti · seleziona una riga per il dettaglio" in captions(app)
    # one claim: its detail is shown without selecting it
    assert dialogs(app._tree) == ["Pratica RK-2002"]
    shown = texts(app)
    # theft/loss documentation checklist: identity document given, police report and form not
    assert "✅ Documento identità" in shown
    assert "❌ Denuncia" in shown
    assert "❌ Modulo blocco" in shown
    assert "Apple iPhone 14" in shown
    assert "Centro Assistenza Milano Duomo" in shown
    # a part of an IMEI finds every claim containing it, within the customer only
    app.text_input(key="imei").input("2200000")
    run(app)
    assert numbers(app) == ["RK-2002", "RK-2001"]


def test_an_employee_sees_only_their_line_and_names_their_whole_imei(page) -> None:
    app = run(page(CARLA, vista="Storico"))
    assert app.text_input(key="imei").label == "IMEI completo"
    assert "IMEI intero" in app.text_input(key="imei").help
    assert [box.key for box in app.text_input] == ["numero", "imei"]  # no line to choose
    assert sorted(numbers(app)) == ["RK-1001", "RK-1002"]
    assert set(claims_frame(app)["nmu"]) == {CARLA.nmu}
    app.text_input(key="imei").input(CARLA_IMEI)
    run(app)
    assert sorted(numbers(app)) == ["RK-1001", "RK-1002"]
    assert set(claims_frame(app)["imei"]) == {CARLA_IMEI}
    for other in (OTHER_ALFA_IMEI, CARLA_IMEI[:10]):
        app.text_input(key="imei").input(other)
        run(app)
        assert numbers(app) == []
        assert [i.value for i in app.info] == [
            "Nessuna pratica per questo IMEI: controlla di averlo scritto per intero."
        ]


def test_query_params_set_the_filters(page) -> None:
    app = run(page(MANAGEMENT, vista="Storico", imei="3520992", stato=["In attesa documentazione"],
                   sla="In attesa documenti", tipo="Furto/Smarrimento"))
    assert app.segmented_control(key="vista").value == "history"
    assert app.text_input(key="imei").value == "3520992"
    assert app.multiselect(key="stato").value == ["In attesa documentazione"]
    assert app.multiselect(key="sla").value == ["pending_documentation"]
    assert app.multiselect(key="tipo").value == ["Furto/Smarrimento"]
    assert numbers(app) == ["RK-2002"]


def test_opened_date_range_from_the_address(page) -> None:
    app = run(page(MANAGEMENT, vista="Storico", aperte=["2025-03-05", "2025-03-10"]))
    assert app.date_input(key="aperte").value == (date(2025, 3, 5), date(2025, 3, 10))
    assert sorted(numbers(app)) == ["RK-1004", "RK-2001"]


def test_selecting_a_row_shows_its_detail(page) -> None:
    app = run(page(MANAGEMENT))
    assert dialogs(app._tree) == []
    table = next(t for t in app.dataframe if "request_number" in t.value.columns)
    app.session_state[table.key] = {"selection": {"rows": [1], "columns": []}}
    run(app)
    assert dialogs(app._tree) == ["Pratica RK-1004"]
    shown = texts(app)
    assert "Via Roma 1, Roma" in shown  # delivered at the company's address
    assert "Non ancora disponibile" in shown
    history = next(t.value for t in app.dataframe if "updated_at" in t.value.columns)
    assert list(history["status"]) == ["In lavorazione"]


def test_a_whole_request_number_opens_a_closed_claim_from_monitoring(page) -> None:
    app = run(page(LEGALE_ALFA, numero="RK-1002"))
    assert numbers(app) == []  # closed: not in the monitoring list
    assert dialogs(app._tree) == ["Pratica RK-1002"]
    shown = texts(app)
    assert "**iPhone 15**" in shown and "Stesso modello" in shown
    assert "✅ Documento identità" in shown and "✅ Denuncia" in shown


def test_a_claim_outside_the_scope_is_not_there(page) -> None:
    app = run(page(MANDATARIO_BETA, vista="Storico", numero="RK-1001"))
    assert numbers(app) == []
    assert dialogs(app._tree) == []
    assert [i.value for i in app.info] == ["Nessuna pratica corrisponde ai filtri."]


def test_flags_are_shown_in_italian(page) -> None:
    # RK-2002 is a claim on a device whose protection had ended when it was opened
    app = run(page(MANDATARIO_BETA, vista="Storico", numero="RK-2002"))
    warnings = [w.value for w in app.warning]
    assert any(w.startswith("Protezione non attiva all'apertura") for w in warnings), warnings


def test_downloads_carry_the_filtered_list_with_italian_headers(page) -> None:
    app = run(page(MANDATARIO_BETA))
    assert [b.proto.label for b in app.get("download_button")] == ["Scarica CSV",
                                                                    "Scarica Excel"]
    shown = data.list_claims(MANDATARIO_BETA, data.ClaimFilters(view="monitoring"), AS_OF)
    exported = claims_export(shown)
    assert list(exported["Numero richiesta"]) == ["RK-2002", "RK-2001"]
    assert list(exported["Stato SLA"]) == ["In attesa documenti", "Rispettato"]
    assert all("_" not in header for header in exported.columns)


def test_an_empty_monitoring_list_says_so(page) -> None:
    app = run(page(Principal("mandatario@gamma.it", "Gino Mandatario", "Mandatario", "Z003")))
    assert numbers(app) == []
    assert [i.value for i in app.info] == [
        "Nessuna pratica aperta da monitorare. Le pratiche chiuse sono nello **Storico**."
    ]



def test_an_employee_whose_line_is_disabled_is_told_so(page) -> None:
    dario = Principal("dario.neri@alfa.it", "Dario Neri", "Dipendente", "X001", "3331000002")
    app = run(page(dario))
    assert [w.value for w in app.warning] == [
        "La tua linea 3331000002 non è abilitata ad aprire né a seguire pratiche. Chiedi al "
        "Mandatario o al Rappresentante Legale della tua azienda di abilitarla."
    ]
    assert app.text_input.len == 0 and numbers(app) == []  # not asked for an IMEI in vain


def test_a_flag_detail_is_in_italian(page) -> None:
    app = run(page(MANDATARIO_BETA, vista="Storico", numero="RK-2002"))
    warnings = [w.value for w in app.warning]
    assert "Protezione non attiva all'apertura: aperta il 13/03/2025 con protezione" in (
        warnings[0]), warnings
    assert not any(" while " in w or " open claims " in w for w in warnings)


def test_the_detail_opens_in_a_dialog_that_stays_closed_once_closed(page) -> None:
    app = run(page(MANAGEMENT, numero="RK-1004"))
    assert dialogs(app._tree) == ["Pratica RK-1004"]
    app.session_state["claim_detail_closed"] = "RK-1004"  # what closing the dialog records
    run(app)
    assert dialogs(app._tree) == []


def test_the_as_of_date_is_one_for_the_session(page) -> None:
    app = run(page(MANAGEMENT))
    picker = app.date_input(key="al")
    assert picker.label == "Situazione al" and picker.value == AS_OF
    picker.set_value(date(2025, 3, 4))
    run(app)
    # on 4 March RK-1001 (due 10 March) was still on track, not breached
    assert claims_frame(app).set_index("request_number").loc["RK-1001", "sla_badge"] == (
        "🟢 In tempo")
    run(app.switch_page("screens/sla.py"))
    assert app.session_state["al"] == date(2025, 3, 4)
    tiles = {tile.label: tile.value for tile in app.metric}
    then = data.sla_summary(MANAGEMENT, date(2025, 3, 4), *views.default_period(date(2025, 3, 4)))
    now = data.sla_summary(MANAGEMENT, AS_OF, *views.default_period(date(2025, 3, 4)))
    assert int(then["breached"].iloc[0]) != int(now["breached"].iloc[0])
    assert tiles["Violate"] == str(int(then["breached"].iloc[0]))


def test_a_long_list_prepares_its_downloads_with_progress(page, monkeypatch) -> None:
    from dashboard import tables

    monkeypatch.setattr(tables, "SHOWN_ROWS", 2)  # a "long" list: more claims than shown
    app = run(page(MANAGEMENT, vista="Storico"))
    assert len(numbers(app)) == 2
    assert app.get("download_button") == []  # nothing written before it is asked for
    [prepare] = [b for b in app.button if b.label == "Prepara i file da scaricare"]
    prepare.click()
    run(app)
    bars = app.get("progress")
    assert bars and bars[-1].proto.text.startswith("File pronti: ")
    every = data.list_claims(MANAGEMENT, data.ClaimFilters(view="history"), AS_OF)
    assert bars[-1].proto.text == f"File pronti: {len(every)} righe" and len(every) > 2
    assert [b.proto.label for b in app.get("download_button")] == ["Scarica CSV",
                                                                    "Scarica Excel"]
    # other filters: the files prepared for the first ones are not offered for these
    app.multiselect(key="tipo").select("Guasto/Malfunzionamento")
    run(app)
    assert len(numbers(app)) == 2  # still more claims than shown
    assert app.get("download_button") == []
    assert [b.label for b in app.button if b.label.startswith("Prepara")] == [
        "Prepara i file da scaricare"]

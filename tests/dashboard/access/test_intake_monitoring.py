"""Requests in Monitoraggio until a claims export carries them; late ones on Qualità dati."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from dashboard.access import auth, data, intake
from pipelines import appstate
from pipelines.ingest.load import load_paths
from tests.dashboard.intake_support import FREE, NOW, build_intake_warehouse

MANDATARIO, MANAGEMENT = "mandatario@beta.it", "direzione@carrier.it"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_intake_warehouse(tmp_path_factory.mktemp("monitoring") / "kasko.duckdb")


@pytest.fixture
def warehouse(loaded: Path, tmp_path: Path) -> Path:
    db = tmp_path / "kasko.duckdb"
    shutil.copyfile(loaded, db)
    yield db
    appstate.forget_stores()


def rows_for(db: Path, login: str, number: str, as_of: date) -> pd.DataFrame:
    who = auth.principal_for_login(db, login)
    listed = data.list_claims(who, data.ClaimFilters(view="history"), as_of, db)
    return listed[listed["request_number"] == number]


def test_the_exports_row_replaces_the_request(warehouse: Path, tmp_path: Path) -> None:
    who = auth.principal_for_login(warehouse, MANDATARIO)
    result = intake.submit_request(
        who, request_type="Guasto/Malfunzionamento", imei=FREE["Y002"],
        fault_causes=("Batteria",), delivery_mode="Punto assistenza",
        assistance_point_code="P002", warehouse=warehouse, now=NOW)
    number = result.request_number
    assert number is not None
    [row] = rows_for(warehouse, MANDATARIO, number, NOW.date()).to_dict("records")
    assert (row["status"], row["sla_state"], row["channel"]) == (
        "Inviata, non ancora presa in carico", "on_track", "Area Clienti")
    assert pd.Timestamp(row["due_date"]).date() == date(2026, 12, 15)
    # the back office's export carries the number, in a later state
    exports = tmp_path / "exports"
    exports.mkdir()
    header = ("Numero richiesta;Data ultimo aggiornamento;Codice cliente;NMU;IMEI;"
              "Tipo richiesta;Causali guasto;Canale;Aperta da;Profilo apertura;Data apertura;"
              "Documento identità;Denuncia;Modulo blocco;Data ricezione documentazione;"
              "Modalità consegna;Codice punto assistenza;Indirizzo consegna;Stato;"
              "Motivo esito negativo;Data disponibilità sostitutivo;Data chiusura;"
              "IMEI sostitutivo;Modello sostitutivo;Modello equivalente")
    line = (f"{number};07/12/2026 16:00;Y002;3332000003;{FREE['Y002']};"
            "Guasto/Malfunzionamento;Batteria;Area Clienti;mandatario@beta.it;Mandatario;"
            "07/12/2026 10:30;;;;07/12/2026 10:30;Punto assistenza;P002;;In lavorazione;"
            ";;;;;")
    (exports / "segnalazioni_2026-12-07.csv").write_text(f"{header}\n{line}\n", "utf-8")
    assert [r.error for r in load_paths([exports], warehouse)] == [None]
    [row] = rows_for(warehouse, MANDATARIO, number, NOW.date()).to_dict("records")
    assert row["status"] == "In lavorazione"
    detail = data.claim_detail(who, number, NOW.date(), warehouse)
    assert detail is not None and "documents" not in detail.claim
    # the device is the back office's claim's now: still not free for another request
    choice = intake.find_device(who, FREE["Y002"], NOW.date(), warehouse)
    assert choice is not None and choice.eligibility.open_claim == number


def test_a_request_not_acknowledged_within_two_business_days_is_flagged(
    warehouse: Path,
) -> None:
    who = auth.principal_for_login(warehouse, MANDATARIO)
    number = intake.submit_request(
        who, request_type="Furto/Smarrimento", imei=FREE["Y002"],
        delivery_mode="Punto assistenza", assistance_point_code="P002",
        warehouse=warehouse, now=NOW).request_number
    management = auth.principal_for_login(warehouse, MANAGEMENT)
    # Monday 7 December; Tuesday 8 is a holiday: Wednesday and Thursday are the two days
    flagged = {
        day: list(intake.unacknowledged_requests(management, day, warehouse)["request_number"])
        for day in (NOW.date() + timedelta(days=n) for n in (3, 4))
    }
    assert flagged == {date(2026, 12, 10): [], date(2026, 12, 11): [number]}
    assert intake.unacknowledged_requests(who, date(2026, 12, 11), warehouse).empty

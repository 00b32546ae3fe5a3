"""`kasko intake export`: each item exactly once, through SIGKILL at every step; the round
trip through `kasko load` acknowledges the requests."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from pipelines import appstate
from pipelines.appstate import tables
from pipelines.intake import NewAddress, RequestForm, store_document, submit
from tests.pipelines.exports import IMEI_A, IMEI_B, IMEI_C
from tests.pipelines.intake.conftest import image_bytes, pdf_bytes

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime.now().replace(microsecond=0) - timedelta(hours=1)


def kasko(*args: str, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KASKO_TEST_KILL_AT", None)
    if kill_at:
        env["KASKO_TEST_KILL_AT"] = kill_at
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def fill(store: appstate.Store) -> tuple[str, str]:
    """A fault and a theft with a new address and two of its three documents."""
    fault = submit(store, RequestForm(
        request_type="Guasto/Malfunzionamento", imei=IMEI_A, customer_code="C001",
        nmu="3351234567", fault_causes=("Batteria", "Software"),
        delivery_mode="Punto assistenza", assistance_point_code="RM0001",
    ), "mandatario@rossi.it", "Mandatario", NOW)
    theft = submit(store, RequestForm(
        request_type="Furto/Smarrimento", imei=IMEI_B, customer_code="C001",
        delivery_mode="Sede azienda",
        new_address=NewAddress(address="Via Po 12", postcode="00198", municipality="Roma",
                               province="RM"),
    ), "legale@rossi.it", "Rappresentante Legale", NOW + timedelta(minutes=1))
    with store.write() as con:
        store_document(store, con, theft.request_number, "id_document", image_bytes("JPEG"),
                       "legale@rossi.it", NOW + timedelta(minutes=2))
        store_document(store, con, theft.request_number, "police_report", pdf_bytes(),
                       "legale@rossi.it", NOW + timedelta(minutes=3))
    return fault.request_number, theft.request_number


def handed_over(out: Path) -> dict[str, object]:
    """What DIR holds, stamps aside: claims rows, address rows, document names and bytes."""
    visible = sorted(p for p in out.iterdir() if not p.name.startswith("."))
    result: dict[str, object] = {"requests": [], "addresses": [], "documents": {}}
    for path in visible:
        if path.name.startswith(("richieste_", "indirizzi_")):
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle, delimiter=";"))
            key = "requests" if path.name.startswith("richieste_") else "addresses"
            result[key] += rows  # type: ignore[operator]
        else:
            result["documents"][path.name] = path.read_bytes()  # type: ignore[index]
    return result


def test_an_export_hands_over_each_item_once(warehouse: Path, store: appstate.Store,
                                             tmp_path: Path) -> None:
    fault, theft = fill(store)
    out = tmp_path / "out"
    first = kasko("intake", "export", "--out", str(out), "--db", str(warehouse))
    assert first.returncode == 0, first.stderr
    assert "handed over 2 requests, 1 addresses and 2 documents" in first.stdout
    names = sorted(p.name for p in out.iterdir())
    [stamp] = {name.split("_", 1)[1].removesuffix(".csv") for name in names
               if name.startswith("richieste_")}
    assert names == sorted([
        f"{theft}_denuncia.pdf", f"{theft}_documento_identita.jpg",
        f"indirizzi_{stamp}.csv", f"richieste_{stamp}.csv",
    ])
    content = handed_over(out)
    rows = {row["Numero richiesta"]: row for row in content["requests"]}  # type: ignore[union-attr]
    assert set(rows) == {fault, theft}
    assert {k: rows[fault][k] for k in ("Canale", "Stato", "Causali guasto", "IMEI",
                                        "Codice punto assistenza", "Profilo apertura")} == {
        "Canale": "Area Clienti", "Stato": "Aperta", "Causali guasto": "Batteria|Software",
        "IMEI": IMEI_A, "Codice punto assistenza": "RM0001", "Profilo apertura": "Mandatario"}
    assert rows[fault]["Data ricezione documentazione"] == NOW.strftime("%d/%m/%Y %H:%M:%S")
    assert {k: rows[theft][k] for k in ("Stato", "Documento identità", "Denuncia",
                                        "Modulo blocco", "Data ricezione documentazione",
                                        "Indirizzo consegna")} == {
        "Stato": "In attesa documentazione", "Documento identità": "Sì", "Denuncia": "Sì",
        "Modulo blocco": "No", "Data ricezione documentazione": "",
        "Indirizzo consegna": "Via Po 12, 00198 Roma (RM)"}
    [address] = content["addresses"]  # type: ignore[misc]
    assert (address["Codice cliente"], address["Codice sede"], address["CAP"],
            address["Attiva"]) == ("C001", "KP0000001", "00198", "Sì")
    assert content["documents"][f"{theft}_denuncia.pdf"] == pdf_bytes()  # type: ignore[index]

    # a finished run is never repeated
    again = kasko("intake", "export", "--out", str(out), "--db", str(warehouse))
    assert (again.returncode, again.stdout.strip()) == (0, "nothing to hand over")
    assert sorted(p.name for p in out.iterdir()) == names

    # the last document: the request's new version and the document, nothing else
    with store.write() as con:
        store_document(store, con, theft, "blocking_form", image_bytes("PNG"),
                       "legale@rossi.it", NOW + timedelta(minutes=30))
    later = tmp_path / "later"
    third = kasko("intake", "export", "--out", str(later), "--db", str(warehouse))
    assert "handed over 1 requests, 0 addresses and 1 documents" in third.stdout
    content = handed_over(later)
    [row] = content["requests"]  # type: ignore[misc]
    assert (row["Numero richiesta"], row["Stato"], row["Modulo blocco"]) == (theft, "Aperta", "Sì")
    assert list(content["documents"]) == [f"{theft}_modulo_blocco.png"]  # type: ignore[arg-type]


@pytest.mark.parametrize("phase", [
    "intake-export-file",      # the first file written in the hidden folder
    "intake-export-written",   # every file written, none in place
    "intake-export-moved",     # the first file moved into DIR, the claims file not yet
    "intake-export-in-place",  # every file in place, the run not recorded as finished
])
def test_a_killed_run_hands_over_nothing_and_the_next_writes_the_same_items(
    warehouse: Path, store: appstate.Store, tmp_path: Path, phase: str,
) -> None:
    fill(store)
    reference_store_dir = tmp_path / "reference"
    out = tmp_path / "out"
    killed = kasko("intake", "export", "--out", str(out), "--db", str(warehouse), kill_at=phase)
    assert killed.returncode == -signal.SIGKILL
    markers = [p.name for p in out.iterdir() if p.name.startswith("richieste_")]
    assert bool(markers) == (phase == "intake-export-in-place")
    rerun = kasko("intake", "export", "--out", str(out), "--db", str(warehouse))
    assert rerun.returncode == 0, rerun.stderr
    assert "(an interrupted run, completed)" in rerun.stdout
    # the same items as a run never interrupted writes
    uninterrupted = tmp_path / "uninterrupted"
    with store.write() as con:
        for table in (tables.intake_requests, tables.intake_addresses, tables.intake_documents):
            con.execute(table.update().values(handover_id=None))
    assert kasko("intake", "export", "--out", str(uninterrupted),
                 "--db", str(warehouse)).returncode == 0
    assert handed_over(out) == handed_over(uninterrupted)
    assert not any(p.name.startswith(".") for p in out.iterdir())
    assert [p.name for p in out.iterdir() if p.name.startswith("richieste_")] != []
    # nothing is left to hand over: the resumed run counted as the finished one
    last = kasko("intake", "export", "--out", str(reference_store_dir), "--db", str(warehouse))
    assert last.stdout.strip() == "nothing to hand over"


def test_loading_the_rows_as_a_claims_export_acknowledges_the_requests(
    warehouse: Path, store: appstate.Store, tmp_path: Path,
) -> None:
    fault, theft = fill(store)
    out = tmp_path / "out"
    assert kasko("intake", "export", "--out", str(out), "--db", str(warehouse)).returncode == 0
    [outbound] = out.glob("richieste_*.csv")
    # dropped among the exports as it is, it is refused and acknowledges nothing
    refused = kasko("load", str(outbound), "--db", str(warehouse))
    assert refused.returncode == 1
    assert "matches no export kind" in refused.stdout + refused.stderr
    # the back office's claims export carrying the same rows
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / f"segnalazioni_{datetime.now():%Y-%m-%d}.csv").write_bytes(outbound.read_bytes())
    loaded = kasko("load", str(exports), "--db", str(warehouse), "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert '"loaded": 2' in loaded.stdout and '"quarantined": 0' in loaded.stdout
    with store.read() as con:
        acknowledged = dict(con.execute(select(
            tables.intake_requests.c.request_number,
            tables.intake_requests.c.acknowledged_at.is_not(None))).all())
    assert acknowledged == {fault: True, theft: True}
    # the device is free for the store again: the back office's claim rules from now on
    submit(store, RequestForm(
        request_type="Guasto/Malfunzionamento", imei=IMEI_C, customer_code="C001",
        fault_causes=("Batteria",), delivery_mode="Punto assistenza",
        assistance_point_code="RM0001"), "m@rossi.it", "Mandatario", NOW)

"""Submitting requests on both backends: numbers, the clock, one open request per device,
documents, added addresses, audit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from pipelines import appstate
from pipelines.appstate import tables
from pipelines.intake import (
    REQUEST_NUMBER,
    DeviceHasOpenRequest,
    DocumentAlreadyReceived,
    NewAddress,
    RequestForm,
    acknowledge,
    next_request_number,
    store_document,
    submit,
    visible_addresses,
)
from tests.pipelines.exports import IMEI_A, IMEI_B
from tests.pipelines.intake.conftest import image_bytes, pdf_bytes

NOW = datetime(2026, 3, 3, 10, 15)
FAULT = RequestForm(request_type="Guasto/Malfunzionamento", imei=IMEI_A, customer_code="C001",
                    fault_causes=("Batteria", "Display rotto"), delivery_mode="Punto assistenza",
                    assistance_point_code="RM0001")
THEFT = RequestForm(request_type="Furto/Smarrimento", imei=IMEI_B, customer_code="C001",
                    delivery_mode="Sede azienda",
                    new_address=NewAddress(address="Via Po 12", postcode="00198",
                                           municipality="Roma", province="rm"))


def audit(store: appstate.Store) -> list[tuple]:
    audit_table = tables.intake_audit
    with store.read() as con:
        return [tuple(row) for row in con.execute(
            select(audit_table.c.login, audit_table.c.action, audit_table.c.request_number)
            .order_by(audit_table.c.audit_id))]


def test_numbers_are_unique_in_sequence_and_never_reused(store: appstate.Store) -> None:
    with store.write() as con:
        first = next_request_number(store, con, 2026)
        second = next_request_number(store, con, 2026)
    assert (first, second) == ("KP-2026-0000001", "KP-2026-0000002")
    # a number taken by a transaction that rolled back is never given to anyone
    with pytest.raises(RuntimeError), store.write() as con:
        taken = next_request_number(store, con, 2026)
        raise RuntimeError(taken)
    with store.write() as con:
        after = next_request_number(store, con, 2027)
    assert REQUEST_NUMBER.fullmatch(after)
    assert after in {"KP-2027-0000003", "KP-2027-0000004"}
    assert after != first and after != second


def test_a_fault_starts_its_clock_at_submission(store: appstate.Store) -> None:
    submitted = submit(store, FAULT, "legale@rossi.it", "Rappresentante Legale", NOW)
    assert submitted.request_number == "KP-2026-0000001"
    assert submitted.documentation_complete
    with store.read() as con:
        row = con.execute(select(tables.intake_requests)).mappings().one()
    assert (row["fault_causes"], row["documentation_received_at"], row["opened_at"]) == (
        "Batteria|Display rotto", NOW, NOW)
    assert audit(store) == [("legale@rossi.it", "submission", "KP-2026-0000001")]


def test_a_second_open_request_for_a_device_is_refused_until_acknowledged(
    store: appstate.Store,
) -> None:
    first = submit(store, FAULT, "a@rossi.it", "Mandatario", NOW)
    with pytest.raises(DeviceHasOpenRequest) as refused:
        submit(store, FAULT, "b@rossi.it", "Master", NOW + timedelta(minutes=1))
    assert refused.value.request_number == first.request_number
    # the refused attempt took no number for good, and left nothing behind
    with store.read() as con:
        assert con.execute(select(tables.intake_requests.c.request_number)).scalars().all() == [
            first.request_number]
    assert acknowledge(store, [first.request_number], NOW + timedelta(days=1)) == 1
    again = submit(store, FAULT, "b@rossi.it", "Master", NOW + timedelta(days=20))
    assert again.request_number != first.request_number


def test_theft_clock_starts_at_the_last_of_three_documents(store: appstate.Store) -> None:
    submitted = submit(store, THEFT, "legale@rossi.it", "Rappresentante Legale", NOW)
    number = submitted.request_number
    assert not submitted.documentation_complete
    assert submitted.added_address is not None
    assert submitted.added_address.label == "Via Po 12, 00198 Roma (RM)"
    uploads = [("id_document", image_bytes("JPEG")), ("police_report", pdf_bytes()),
               ("blocking_form", image_bytes("PNG"))]
    completes = []
    for hours, (kind, data) in enumerate(uploads, start=1):
        with store.write() as con:
            completes.append(store_document(store, con, number, kind, data, "legale@rossi.it",
                                            NOW + timedelta(hours=hours)).complete)
    assert completes == [False, False, True]
    with store.read() as con:
        row = con.execute(select(tables.intake_requests)).mappings().one()
    assert row["documentation_received_at"] == NOW + timedelta(hours=3)
    assert row["delivery_address"] == "Via Po 12, 00198 Roma (RM)"
    with pytest.raises(DocumentAlreadyReceived), store.write() as con:
        store_document(store, con, number, "police_report", pdf_bytes(), "x@rossi.it", NOW)
    assert [action for _, action, _ in audit(store)] == [
        "address", "submission", "upload", "upload", "upload"]


def test_an_added_address_reaches_other_users_after_24_hours(store: appstate.Store) -> None:
    submit(store, THEFT, "legale@rossi.it", "Rappresentante Legale", NOW)
    with store.read() as con:
        for_others = [
            len(visible_addresses(con, "C001", NOW + delay, sees_pending=False))
            for delay in (timedelta(hours=23, minutes=59), timedelta(hours=24))
        ]
        for_legal = visible_addresses(con, "C001", NOW + timedelta(minutes=5), sees_pending=True)
        other_customer = visible_addresses(con, "C002", NOW + timedelta(days=2), sees_pending=True)
    assert for_others == [0, 1]
    assert [(a["label"], a["available_to_others_at"]) for a in for_legal] == [
        ("Via Po 12, 00198 Roma (RM)", NOW + timedelta(hours=24))]
    assert other_customer == []


_RACER = """
import json, sys, time
from datetime import datetime
from pipelines import appstate
from pipelines.intake import DeviceHasOpenRequest, RequestForm, submit
warehouse, start, login = sys.argv[1], float(sys.argv[2]), sys.argv[3]
store = appstate.store_for(__import__("pathlib").Path(warehouse))
form = RequestForm(request_type="Guasto/Malfunzionamento", imei=sys.argv[4], customer_code="C001",
                   fault_causes=("Batteria",), delivery_mode="Punto assistenza",
                   assistance_point_code="RM0001")
time.sleep(max(0.0, start - time.time()))
try:
    submitted = submit(store, form, login, "Mandatario", datetime.now())
    print(json.dumps(["ok", submitted.request_number]))
except DeviceHasOpenRequest as refused:
    print(json.dumps(["refused", refused.request_number]))
"""


def test_two_processes_submitting_for_one_device_at_once_make_one_request(
    warehouse: Path, store: appstate.Store,
) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    answers: list[list[str]] = []
    for round_, imei in enumerate((IMEI_A, IMEI_B)):
        start = time.time() + 2.5
        racers = [subprocess.Popen(
            [sys.executable, "-c", _RACER, str(warehouse), str(start), f"p{i}@rossi.it", imei],
            stdout=subprocess.PIPE, text=True, env=env, cwd=root) for i in range(2)]
        outcomes = sorted(json.loads(racer.communicate(timeout=60)[0]) for racer in racers)
        assert [outcome for outcome, _ in outcomes] == ["ok", "refused"], (round_, outcomes)
        # the refused one is told which request holds the device
        assert outcomes[0][1] == outcomes[1][1]
        answers.append(outcomes[0])
    with store.read() as con:
        rows = con.execute(text(
            "select imei, count(*) from intake_requests group by imei order by imei")).all()
    assert sorted(tuple(row) for row in rows) == sorted([(IMEI_A, 1), (IMEI_B, 1)])

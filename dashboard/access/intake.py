"""The claim intake's scoped reads and writes: who may open a claim, for which device, and
what they may see of the requests opened in the dashboard.

Like the rest of the data layer, a device, request or document outside the person's scope
gets the answer something missing gets (None, an empty list): no hint that it exists.
Every write checks scope and eligibility again here, whatever the page showed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from pydantic import ValidationError

from dashboard.access.connections import (
    connections,
    first_row,
    frame,
    query,
    warehouse_or_default,
)
from dashboard.access.principal import (
    ACCOUNT_MANAGER,
    EMPLOYEE,
    LEGAL_REPRESENTATIVE,
    MANAGEMENT,
    Principal,
)
from dashboard.access.scope import Scope, resolve_scope
from pipelines import appstate
from pipelines.appstate import tables
from pipelines.contract import normalise_imei
from pipelines.intake import (
    DeviceHasOpenRequest,
    DocumentAlreadyReceived,
    DocumentRefused,
    Eligibility,
    NewAddress,
    RequestForm,
    eligibility,
    open_request_for,
    store_document,
    submit,
    visible_addresses,
)
from pipelines.intake.acknowledgement import acknowledge
from pipelines.intake.addresses import label
from pipelines.intake.claim_rows import as_arrow, not_acknowledged, request_rows
from pipelines.intake.documents import (
    EXTENSIONS,
    blocking_form,
    document_content,
    received_documents,
)
from pipelines.intake.rules import (
    ACKNOWLEDGEMENT_BUSINESS_DAYS,
    AT_COMPANY,
    AT_POINT,
    DELIVERY_MODES,
    DOCUMENT_KINDS,
    EMPLOYEE_OPENING_PROFILE,
    FAULT,
    FAULT_CAUSES,
    REQUEST_TYPES,
)
from pipelines.warehouse.calendar import now_local

# The form's words and the clock, for the page (which reaches pipelines only through here).
__all__ = [
    "ACKNOWLEDGEMENT_BUSINESS_DAYS", "AT_COMPANY", "AT_POINT", "DELIVERY_MODES",
    "DOCUMENT_KINDS", "FAULT", "FAULT_CAUSES", "NOT_FOUND", "REQUEST_TYPES",
    "DeviceChoice", "SubmissionResult", "UploadResult", "assistance_points", "blocking_form",
    "delivery_addresses", "download_document", "find_device", "may_add_address",
    "may_open_claims", "now_local", "register_requests", "request_detail", "search_devices",
    "submit_request", "unacknowledged_requests", "upload_document", "with_clock",
    "with_requests",
]

WarehousePath = Path | str | None
NOT_FOUND = "Dispositivo non trovato."
SEARCH_LIMIT = 50
# Partial IMEI digits shorter than this list too much of a fleet to be a search.
MIN_SEARCH_DIGITS = 4
CARRIER = frozenset({MANAGEMENT, ACCOUNT_MANAGER})
_DIGITS = re.compile(r"[\s.\-]")


def may_open_claims(principal: Principal) -> bool:
    """Customer-side profiles; a Dipendente only while their line is enabled (see scope)."""
    return principal.profile not in CARRIER and principal.is_customer_side


def may_add_address(principal: Principal) -> bool:
    return principal.profile == LEGAL_REPRESENTATIVE


# ---------------------------------------------------------------- requests in the warehouse's SQL


def _scope_rows(store: appstate.Store, scope: Scope) -> list[dict[str, Any]]:
    if scope.is_empty:
        return []
    with store.read() as con:
        return request_rows(con, not_acknowledged(scope.customers, scope.line_nmu))


def register_requests(cursor: duckdb.DuckDBPyConnection, warehouse: Path,
                      scope: Scope) -> bool:
    """Give the cursor `intake_claims` (the requests in scope not acknowledged, as claims
    rows) and `intake_tickets` (those no export carries, through the SLA macro), when there
    are any: the claims list and a request's detail read them beside marts.tickets.
    Returns whether there were."""
    rows = _scope_rows(appstate.store_for(warehouse), scope)
    if not rows:
        return False
    cursor.register("intake_claims", as_arrow(rows))
    cursor.register("intake_tickets", cursor.sql(query("intake_tickets")).to_arrow_table())
    return True


_TICKETS = "from marts.tickets\n"
_TICKETS_AND_REQUESTS = (
    "from (select * from marts.tickets union all by name select * from intake_tickets)\n")


def with_requests(sql: str) -> str:
    """A claims query reading the requests registered by register_requests beside
    marts.tickets (its one `from marts.tickets` line)."""
    assert sql.count(_TICKETS) == 1
    return sql.replace(_TICKETS, _TICKETS_AND_REQUESTS)


def request_detail(principal: Principal, request_number: str, as_of: date,
                   warehouse: WarehousePath = None) -> dict[str, Any] | None:
    """A request in scope that no claims export carries yet, as a claim row with its SLA
    figures and `documents` (kind -> what was received); None otherwise."""
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path)
        if not register_requests(cursor, path, scope):
            return None
        claim = first_row(frame(cursor, "intake_ticket", as_of=as_of,
                                request_number=request_number.strip()))
    if claim is None:
        return None
    with appstate.store_for(path).read() as con:
        claim["documents"] = received_documents(con, claim["request_number"])
    return claim


# ---------------------------------------------------------------- devices


@dataclass(frozen=True)
class DeviceChoice:
    """A device the person may ask a claim for, and whether it may get one now."""

    device: dict[str, Any]
    eligibility: Eligibility


def _digits(text: str | None) -> str:
    return _DIGITS.sub("", text or "")


def search_devices(principal: Principal, imei_digits: str, request_day: date,
                   warehouse: WarehousePath = None) -> pd.DataFrame:
    """Devices in scope whose IMEI contains the digits, with protection active on the day.

    Only profiles that may search; a Dipendente names their whole IMEI (find_device).
    Columns: imei, customer_code, company_name, segment, nmu, brand, model, device_type,
    assignee, protection_state, protection_start, protection_end, open_claim.
    """
    digits = _digits(imei_digits)
    if (not may_open_claims(principal) or not principal.may_search_imei
            or not digits.isdigit() or len(digits) < MIN_SEARCH_DIGITS):
        return pd.DataFrame()
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path)
        if scope.is_empty:
            return pd.DataFrame()
        return frame(cursor, "intake_devices", **scope.params(), imei_equal=None,
                     imei_part=digits, eligible_only=True, request_day=request_day,
                     limit=SEARCH_LIMIT)


def find_device(principal: Principal, imei: str, request_day: date,
                warehouse: WarehousePath = None) -> DeviceChoice | None:
    """One device in scope named by its whole IMEI, with whether it may get a claim on the
    day (protection, open claims from exports and from the form); None when not found."""
    whole = normalise_imei(_digits(imei)) if _digits(imei) else None
    if not may_open_claims(principal) or whole is None:
        return None
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path)
        if scope.is_empty:
            return None
        device = first_row(frame(cursor, "intake_devices", **scope.params(), imei_equal=whole,
                                 imei_part=None, eligible_only=False, request_day=request_day,
                                 limit=1))
        if device is None:
            return None
        open_claim = device["open_claim"] or _open_request(cursor, path, whole)
    return DeviceChoice(device, eligibility(device, request_day, open_claim))


def _open_request(cursor: duckdb.DuckDBPyConnection, warehouse: Path, imei: str) -> str | None:
    """The device's request from the form, not yet acknowledged; one a claims export
    carries by now is acknowledged here (the export rules from then on)."""
    store = appstate.store_for(warehouse)
    with store.read() as con:
        number = open_request_for(con, imei)
    if number is None:
        return None
    [(carried,)] = cursor.execute(
        "select count(*) from marts.tickets where request_number = $number", {"number": number}
    ).fetchall()
    if carried:
        acknowledge(store, [number], now_local())
        return None
    return number


# ---------------------------------------------------------------- delivery


def assistance_points(place: str | None, warehouse: WarehousePath = None) -> pd.DataFrame:
    """Assistance points by province code or town (public information: no scope)."""
    path = warehouse_or_default(warehouse)
    text = (place or "").strip() or None
    with connections.cursor(path) as cursor:
        return frame(cursor, "intake_points", place=text, limit=200)


def _table_exists(cursor: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    [(found,)] = cursor.execute(
        """select count(*) from duckdb_tables()
           where database_name = current_database() and schema_name = $1
             and table_name = $2""", [schema, table]).fetchall()
    return bool(found)


def delivery_addresses(principal: Principal, customer_code: str,
                       warehouse: WarehousePath = None,
                       now: datetime | None = None) -> list[dict[str, Any]]:
    """The customer's delivery addresses the person may choose: the back office's (sedi) and
    those added in the dashboard 24 hours ago or more; the Rappresentante Legale also sees
    the newer ones, with `available_to_others_at`. Each: key, label, source, and the rest."""
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path)
        if not may_open_claims(principal) or not scope.includes(customer_code, scope.line_nmu):
            return []
        sites = (frame(cursor, "intake_sites", customer_code=customer_code)
                 if _table_exists(cursor, "core", "delivery_addresses") else pd.DataFrame())
    result: list[dict[str, Any]] = [
        {"key": f"sede:{site.site_code}", "source": "sedi", "address_id": None,
         "label": label(site.address, site.postcode, site.municipality, site.province),
         "available_to_others_at": None}
        for site in sites.itertuples()
    ]
    with appstate.store_for(path).read() as con:
        added = visible_addresses(con, customer_code, now or now_local(),
                                  sees_pending=may_add_address(principal))
    result += [{"key": f"kp:{row['address_id']}", "source": "dashboard",
                "address_id": row["address_id"], "label": row["label"],
                "available_to_others_at": row["available_to_others_at"]} for row in added]
    return result


# ---------------------------------------------------------------- submission


@dataclass
class SubmissionResult:
    """What the form shows after a submission: the number, or why not (in Italian)."""

    request_number: str | None = None
    errors: list[str] = field(default_factory=list)
    open_claim: str | None = None  # the claim that blocks the device, to link to
    documentation_complete: bool = False
    expected_delivery: date | None = None
    missing_documents: list[str] = field(default_factory=list)
    address_available_to_others_at: datetime | None = None


def submit_request(
    principal: Principal,
    *,
    request_type: str,
    imei: str,
    fault_causes: tuple[str, ...] = (),
    delivery_mode: str,
    assistance_point_code: str | None = None,
    address_key: str | None = None,
    new_address: dict[str, str] | None = None,
    warehouse: WarehousePath = None,
    now: datetime | None = None,
) -> SubmissionResult:
    """Check everything again (scope, eligibility, delivery) and store the request."""
    now = now or now_local()
    path = warehouse_or_default(warehouse)
    choice = find_device(principal, imei, now.date(), path)
    if choice is None:
        return SubmissionResult(errors=[NOT_FOUND])
    if not choice.eligibility.eligible:
        return SubmissionResult(errors=[choice.eligibility.reason or NOT_FOUND],
                                open_claim=choice.eligibility.open_claim)
    device = choice.device
    errors: list[str] = []
    delivery_address = address_id = None
    address = None
    if delivery_mode == AT_COMPANY:
        if new_address is not None:
            if not may_add_address(principal):
                errors.append("Solo il Rappresentante Legale può aggiungere un indirizzo.")
            else:
                try:
                    address = NewAddress(**new_address)
                except ValidationError as error:
                    errors += [f"Indirizzo: {e['msg'].removeprefix('Value error, ')}"
                               for e in error.errors()]
        else:
            chosen = {a["key"]: a for a in delivery_addresses(
                principal, device["customer_code"], path, now)}.get(address_key or "")
            if chosen is None:
                errors.append("Scegliere un indirizzo di consegna dell'elenco.")
            else:
                delivery_address, address_id = chosen["label"], chosen["address_id"]
    elif assistance_point_code:
        with connections.cursor(path) as cursor:
            if frame(cursor, "assistance_point", point_code=assistance_point_code).empty:
                errors.append("Punto assistenza sconosciuto.")
    if errors:
        return SubmissionResult(errors=errors)
    try:
        form = RequestForm(
            request_type=request_type, imei=device["imei"],
            customer_code=device["customer_code"], nmu=device["nmu"],
            fault_causes=tuple(fault_causes), delivery_mode=delivery_mode,
            assistance_point_code=assistance_point_code, address_id=address_id,
            delivery_address=delivery_address, new_address=address,
        )
    except ValidationError as error:
        return SubmissionResult(errors=[
            e["msg"].removeprefix("Value error, ").capitalize() + "." for e in error.errors()])
    profile = EMPLOYEE_OPENING_PROFILE if principal.profile == EMPLOYEE else principal.profile
    try:
        submitted = submit(appstate.store_for(path), form, principal.login, profile, now)
    except DeviceHasOpenRequest as refused:
        return SubmissionResult(
            errors=[f"Per questo dispositivo è già aperta la pratica {refused.request_number}."],
            open_claim=refused.request_number)
    result = SubmissionResult(request_number=submitted.request_number,
                              documentation_complete=submitted.documentation_complete)
    if submitted.added_address is not None:
        result.address_available_to_others_at = submitted.added_address.available_to_others_at
    return with_clock(principal, result, path, now.date())


def with_clock(principal: Principal, result: SubmissionResult, warehouse: WarehousePath,
               as_of: date) -> SubmissionResult:
    """The result with the expected delivery date, or the documents still missing."""
    assert result.request_number is not None
    detail = request_detail(principal, result.request_number, as_of, warehouse)
    if detail is None:
        return result
    result.documentation_complete = detail.get("clock_start_date") is not None
    result.expected_delivery = detail.get("due_date")
    if detail.get("request_type") != FAULT:
        result.missing_documents = [
            label for kind, label in DOCUMENT_KINDS.items() if kind not in detail["documents"]]
    return result


# ---------------------------------------------------------------- documents


@dataclass
class UploadResult:
    ok: bool
    message: str
    documentation_complete: bool = False


def upload_document(principal: Principal, request_number: str, kind: str, data: bytes,
                    warehouse: WarehousePath = None, now: datetime | None = None
                    ) -> UploadResult:
    """Keep a document of a theft/loss request the person may see (the file's name is
    never used); anything refused is kept nowhere, and every attempt is audited."""
    now = now or now_local()
    path = warehouse_or_default(warehouse)
    # carrier staff may see a request (and download its documents) but not act for the customer
    detail = (request_detail(principal, request_number, now.date(), path)
              if may_open_claims(principal) else None)
    if detail is None or detail.get("request_type") == FAULT or kind not in DOCUMENT_KINDS:
        return UploadResult(False, "Pratica non trovata.")
    store = appstate.store_for(path)
    try:
        with store.write() as con:
            upload = store_document(store, con, detail["request_number"], kind, data,
                                    principal.login, now)
    except DocumentRefused as refused:
        with store.write() as con:
            con.execute(tables.intake_audit.insert().values(
                at=now, login=principal.login, action="refused_upload",
                request_number=detail["request_number"], customer_code=detail["customer_code"],
                detail=f"{DOCUMENT_KINDS[kind]}: {refused}"))
        return UploadResult(False, f"File non accettato: {refused}")
    except DocumentAlreadyReceived:
        return UploadResult(False, f"{DOCUMENT_KINDS[kind]}: già ricevuto, non si può "
                                   "sostituire.")
    return UploadResult(True, f"{DOCUMENT_KINDS[kind]} ricevuto.", upload.complete)


def download_document(principal: Principal, request_number: str, kind: str,
                      warehouse: WarehousePath = None) -> tuple[str, str, bytes] | None:
    """(file name, media type, bytes) of a document of a request the person may see."""
    path = warehouse_or_default(warehouse)
    number = request_number.strip()
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path)
    if scope.is_empty or kind not in DOCUMENT_KINDS:
        return None
    store = appstate.store_for(path)
    requests = tables.intake_requests
    with store.read() as con:
        owner = con.execute(requests.select().with_only_columns(
            requests.c.customer_code, requests.c.nmu).where(
            requests.c.request_number == number)).first()
        if owner is None or not scope.includes(owner.customer_code, owner.nmu):
            return None
        found = document_content(con, number, kind)
    if found is None:
        return None
    media_type, content = found
    return f"{number}_{kind}.{EXTENSIONS[media_type]}", media_type, content


# ---------------------------------------------------------------- data quality


def unacknowledged_requests(principal: Principal, as_of: date,
                            warehouse: WarehousePath = None) -> pd.DataFrame:
    """Requests no claims export carries two business days after their opening (Management).

    Columns: request_number, customer_code, imei, opened_at, opened_by, business_days_waited.
    """
    if not principal.may_see_data_quality:
        return pd.DataFrame()
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        if not register_requests(cursor, path, Scope(customers=None)):
            return pd.DataFrame(columns=["request_number", "customer_code", "imei",
                                         "opened_at", "opened_by", "business_days_waited"])
        return frame(cursor, "intake_unacknowledged", as_of=as_of,
                     business_days=ACKNOWLEDGEMENT_BUSINESS_DAYS)

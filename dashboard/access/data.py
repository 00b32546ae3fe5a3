"""The one scoped data layer: every read and write of the dashboard and reports, per principal.

Every function takes the signed-in Principal first and answers only with what that
principal may see; something outside the scope gets the same answer as something that
does not exist (an empty frame, or None). The SQL is in sql/queries/, run with bound
parameters. Frames keep the warehouse's column names (contract field names).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from dashboard.access.connections import (
    FileKey,
    connections,
    file_key,
    first_row,
    frame,
    is_missing,
    query,
    warehouse_or_default,
)
from dashboard.access.principal import ENABLEMENT_PROFILE_SEGMENT, Principal
from dashboard.access.scope import NOTHING, is_true, line_states, resolve_scope
from pipelines.appstate import accounts
from pipelines.contract import normalise_nmu
from pipelines.warehouse.calendar import today

WarehousePath = Path | str | None
ClaimView = Literal["monitoring", "history"]
ClaimSort = Literal["urgency", "newest", "oldest"]
Grain = Literal["day", "week", "month"]
BREAKDOWN_DIMENSIONS = (
    "request_type",
    "channel",
    "delivery_mode",
    "region",
    "assistance_point_region",
    "assistance_point",
    "customer",
    "device_model",
    "segment",
    "account_manager",
)
# The answer to any enablement change the principal may not make, whatever the reason.
REFUSED = "Operazione non consentita."

# Inside identifiers typed by people: spaces, dots and dashes are not part of them.
_SEPARATORS = re.compile(r"[\s.\-]")
_ITALIAN_PREFIX = re.compile(r"^(\+39|0039)")


# ---------------------------------------------------------------- filters


def _text(value: str | None) -> str | None:
    """A typed filter value, trimmed; empty means no filter."""
    if value is None:
        return None
    text = value.strip()
    return text or None


def _identifier_filter(value: str | None, prefix: re.Pattern[str] | None = None) -> str | None:
    """An IMEI or NMU (or part of one) as typed: separators and the prefix dropped from digits.

    Anything else is kept as typed: it matches no identifier, so the answer is empty.
    """
    text = _text(value)
    if text is None:
        return None
    digits = _SEPARATORS.sub("", text)
    if prefix is not None:
        digits = prefix.sub("", digits)
    return digits if digits.isascii() and digits.isdigit() else text


def _values(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class ClaimFilters:
    """What list_claims keeps. Hashable: usable in a cache key.

    Text filters (imei, nmu, request_number, customer_code) are literal, never patterns:
    imei and nmu match any part of the identifier (a Dipendente must give their IMEI
    whole), request_number any part case-insensitively, customer_code exactly. The
    value filters (request_types, statuses, channels, delivery_modes, sla_states) take the
    warehouse's values (e.g. 'Guasto/Malfunzionamento', 'Aperta', 'breached'); empty
    means any. A single string is accepted for one value. opened_from/opened_to bound the
    opened date and due_from/due_to the due date, inclusive. view 'monitoring' keeps the
    claims the portal monitors (still open for the customer: not delivered, closed,
    cancelled, rejected or technically failed), 'history' every claim.
    """

    imei: str | None = None
    nmu: str | None = None
    request_number: str | None = None
    customer_code: str | None = None
    request_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    delivery_modes: tuple[str, ...] = ()
    sla_states: tuple[str, ...] = ()
    opened_from: date | None = None
    opened_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    view: ClaimView = "history"
    sort: ClaimSort = "urgency"
    limit: int | None = 1000

    def __post_init__(self) -> None:
        for name in ("request_types", "statuses", "channels", "delivery_modes", "sla_states"):
            object.__setattr__(self, name, _values(getattr(self, name)))
        if self.view not in ("monitoring", "history"):
            raise ValueError(f"view must be 'monitoring' or 'history', not {self.view!r}")
        if self.sort not in ("urgency", "newest", "oldest"):
            raise ValueError(f"sort must be 'urgency', 'newest' or 'oldest', not {self.sort!r}")
        if self.limit is not None and self.limit < 0:
            raise ValueError("limit must not be negative")


@dataclass(frozen=True)
class ClaimDetail:
    """Everything about one claim in scope.

    claim: the current version with its SLA figures (a marts.ticket_sla row: every
    core.claims column plus opened_date, clock_start_date, effective_start_date, due_date,
    available_date, business_days_taken/remaining/late, sla_state, is_monitored, ...).
    versions: core.claims_versions rows, oldest first. flags: flag, detail.
    device: the inventory's device for the claim's IMEI (when in scope), else None.
    delivery_point: the assistance point (point_code, name, address, municipality,
    province, region), else None.
    """

    claim: dict[str, Any]
    versions: pd.DataFrame
    flags: pd.DataFrame
    device: dict[str, Any] | None
    delivery_point: dict[str, Any] | None


@dataclass(frozen=True)
class DataQuality:
    """What the loads did and what they found (Management only)."""

    load_log: pd.DataFrame
    quarantine: pd.DataFrame
    quarantine_reasons: pd.DataFrame
    flag_counts: pd.DataFrame


# ---------------------------------------------------------------- helpers


def _as_of(as_of: date | None) -> date:
    return as_of or today()


@functools.lru_cache(maxsize=256)
def _calendar_indexes(
    warehouse: Path, version: FileKey, as_of: date
) -> tuple[int | None, int | None]:
    """T's indexes on the calendar of one version of the warehouse file (a load swaps in
    another version, with the calendar it was loaded with)."""
    with connections.cursor(warehouse) as cursor:
        [indexes] = cursor.execute(query("as_of_day"), {"as_of": as_of}).fetchall()
    return indexes


def _as_of_day(warehouse: Path, as_of: date | None) -> dict[str, Any]:
    """T and its indexes on the business-day calendar: the parameters of a query that
    computes T's SLA figures from marts.tickets itself (a level of SQL less to plan)."""
    day = _as_of(as_of)
    index, next_index = _calendar_indexes(warehouse.resolve(), file_key(warehouse), day)
    return {"as_of": day, "as_of_index": index, "as_of_next_index": next_index}


# ---------------------------------------------------------------- customers


def customers_in_scope(principal: Principal, warehouse: WarehousePath = None) -> pd.DataFrame:
    """The customers the principal may see, by company name.

    Columns: customer_code, company_name, vat_number, segment, contract, region,
    account_manager. A Dipendente sees their own customer while their line is enabled.
    """
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path)
        return frame(cursor, "customers_in_scope", customers=scope.params()["customers"])


# ---------------------------------------------------------------- claims


def list_claims(
    principal: Principal,
    filters: ClaimFilters = ClaimFilters(),
    as_of: date | None = None,
    warehouse: WarehousePath = None,
) -> pd.DataFrame:
    """The claims (current versions) in scope matching the filters, with SLA figures as of a date.

    Columns: request_number, customer_code, company_name, nmu, imei, device_brand,
    device_model, request_type, request_type_code, status, channel, delivery_mode,
    assistance_point_code, assistance_point_name, opened_at, updated_at, opened_date,
    clock_start_date, effective_start_date, due_date, available_date,
    business_days_taken, business_days_remaining, business_days_late,
    documentation_wait_days, sla_state, is_monitored, urgency_rank (0 breached, 1 at
    risk, 2 pending documentation, 3 on track, 4 met, 5 waiting to be collected
    ('Disponibile al ritiro'), 6 excluded).
    A Dipendente's IMEI filter matches only a whole IMEI (any other IMEI: no rows).
    """
    path = warehouse_or_default(warehouse)
    imei = _identifier_filter(filters.imei)
    # a whole IMEI (and whatever a Dipendente gives) is an equality, which the index on
    # core.claims answers; only profiles that may search look for a part of one
    partial_imei = imei is not None and len(imei) != 15 and principal.may_search_imei
    request_number = _text(filters.request_number)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path)
        return frame(
            cursor,
            "claims_list",
            **_as_of_day(path, as_of),
            **scope.params(),
            view=filters.view,
            imei_equal=None if partial_imei else imei,
            imei_part=imei if partial_imei else None,
            nmu=_identifier_filter(filters.nmu, _ITALIAN_PREFIX),
            request_number=request_number.lower() if request_number else None,
            customer_code=_text(filters.customer_code),
            request_types=list(filters.request_types),
            statuses=list(filters.statuses),
            channels=list(filters.channels),
            delivery_modes=list(filters.delivery_modes),
            sla_states=list(filters.sla_states),
            opened_from=filters.opened_from,
            opened_to=filters.opened_to,
            due_from=filters.due_from,
            due_to=filters.due_to,
            sort=filters.sort,
            limit=filters.limit,
        )


def claim_detail(
    principal: Principal,
    request_number: str,
    as_of: date | None = None,
    warehouse: WarehousePath = None,
) -> ClaimDetail | None:
    """One claim with its history, flags, device and delivery point; None when not in scope."""
    number = _text(request_number)
    if number is None:
        return None
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path)
        owner = first_row(frame(cursor, "claim_owner", request_number=number))
        if owner is None or not scope.includes(owner["customer_code"], owner["nmu"]):
            return None
        scoped = scope.params()
        claim = first_row(
            frame(cursor, "claim_current", as_of=_as_of(as_of), request_number=number, **scoped)
        )
        if claim is None:
            return None
        versions = frame(cursor, "claim_versions", request_number=number, **scoped)
        flags = frame(
            cursor, "claim_flags", request_number=number, imei=claim["imei"], **scoped
        )
        device = first_row(frame(cursor, "claim_device", imei=claim["imei"], **scoped))
        point = None
        if claim.get("assistance_point_code"):
            point = first_row(
                frame(cursor, "assistance_point", point_code=claim["assistance_point_code"])
            )
    return ClaimDetail(claim, versions, flags, device, point)


# ---------------------------------------------------------------- SLA aggregates


def _aggregate(
    principal: Principal,
    name: str,
    customer_code: str | None,
    warehouse: WarehousePath,
    **params: Any,
) -> pd.DataFrame:
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path).narrowed_to(_text(customer_code))
        allowed = principal.may_see_sla_aggregates and not scope.is_empty
        result = frame(cursor, name, customers=scope.params()["customers"], **params)
    # A Dipendente's scope is a line, which aggregates cannot honour: no aggregates at all.
    return result if allowed else result.iloc[0:0]


def sla_summary(
    principal: Principal,
    as_of: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    customer_code: str | None = None,
    warehouse: WarehousePath = None,
) -> pd.DataFrame:
    """One row of KPI tiles (marts.sla_summary) over the customers in scope.

    Columns: as_of_date, date_from, date_to, sla_business_days, claims, met, breached,
    compliance, at_risk, on_track, pending_documentation, excluded, monitored,
    median_business_days_taken, median_documentation_wait_days. customer_code narrows
    the scope to one customer. Empty for a Dipendente.
    """
    return _aggregate(
        principal, "sla_summary", customer_code, warehouse,
        as_of=_as_of(as_of), date_from=date_from, date_to=date_to,
    )


def sla_by_period(
    principal: Principal,
    as_of: date | None = None,
    grain: Grain = "month",
    date_from: date | None = None,
    date_to: date | None = None,
    customer_code: str | None = None,
    warehouse: WarehousePath = None,
) -> pd.DataFrame:
    """One row per period of due date (marts.sla_by_period) over the customers in scope.

    Columns: period_start, period_end, period_label, claims, met, breached, compliance,
    at_risk, on_track, pending_documentation, excluded. Empty for a Dipendente.
    """
    if grain not in ("day", "week", "month"):
        raise ValueError(f"grain must be day, week or month, not {grain!r}")
    return _aggregate(
        principal, "sla_by_period", customer_code, warehouse,
        as_of=_as_of(as_of), grain=grain, date_from=date_from, date_to=date_to,
    )


def days_taken_distribution(
    principal: Principal,
    as_of: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    customer_code: str | None = None,
    warehouse: WarehousePath = None,
) -> pd.DataFrame:
    """Met and breached claims per business days taken, over claims due in the period.

    Columns: business_days_taken, sla_state ('met' or 'breached'), claims. Empty for a
    Dipendente.
    """
    return _aggregate(
        principal, "days_taken_distribution", customer_code, warehouse,
        as_of=_as_of(as_of), date_from=date_from, date_to=date_to,
    )


def sla_breakdown(
    principal: Principal,
    dimension: str,
    as_of: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    customer_code: str | None = None,
    warehouse: WarehousePath = None,
) -> pd.DataFrame:
    """One row per value of a dimension (marts.sla_breakdown) over the customers in scope.

    dimension: one of BREAKDOWN_DIMENSIONS. Columns: dimension, key, label, claims, met,
    breached, compliance, at_risk, on_track, pending_documentation, excluded,
    median_business_days_taken, median_documentation_wait_days. Empty for a Dipendente.
    """
    if dimension not in BREAKDOWN_DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(BREAKDOWN_DIMENSIONS)}")
    return _aggregate(
        principal, "sla_breakdown", customer_code, warehouse,
        as_of=_as_of(as_of), dimension=dimension, date_from=date_from, date_to=date_to,
    )


# ---------------------------------------------------------------- lines and enablement


def _line_scope(principal: Principal, cursor: duckdb.DuckDBPyConnection, warehouse: Path,
                customer_code: str | None) -> bool:
    """Whether the principal may read this customer's line register."""
    return (
        principal.may_see_lines
        and customer_code is not None
        and resolve_scope(principal, cursor, warehouse).includes(customer_code)
    )


def list_lines(
    principal: Principal,
    customer_code: str,
    search: str | None = None,
    warehouse: WarehousePath = None,
    enabled: bool | None = None,
) -> pd.DataFrame:
    """One customer's lines: one row per line and device, with the line's effective enablement.

    Columns: customer_code, nmu, imei, brand, model, device_type, protection_state,
    protection_start, protection_end, assignee, assignee_email, enabled (False when never
    enabled), enabled_changed_at, enabled_changed_by, enabled_source ('export',
    'dashboard' or None). search keeps lines whose NMU, IMEI, assignee, e-mail, brand or
    model contains it (case-insensitive); enabled keeps the enabled lines (True) or the
    others (False). Empty for a Dipendente or a customer not in scope.
    """
    path = warehouse_or_default(warehouse)
    code = _text(customer_code)
    text = _text(search)
    with connections.cursor(path) as cursor:
        allowed = _line_scope(principal, cursor, path, code)
        customers = [code] if allowed and code else []
        changes = accounts.enablement_changes(path, customers)
        cursor.register("line_states", line_states(cursor, changes, customers))
        return frame(
            cursor,
            "customer_lines",
            customer_code=code if allowed else None,
            search=text.lower() if text else None,
            enabled=enabled,
        )


def set_enablement(
    principal: Principal,
    customer_code: str,
    nmus: Sequence[str],
    enabled: bool,
    warehouse: WarehousePath = None,
) -> int:
    """Enable or disable lines of a customer; returns how many lines changed state.

    Only the customer's Rappresentante Legale (Professionisti) or Mandatario (Aziende) may,
    and only for lines of that customer; anything else raises PermissionError (REFUSED),
    changing nothing. Each line that changes gets one append-only audit row in the app
    store (who, when, line, before, after); lines already in that state get none.
    """
    path = warehouse_or_default(warehouse)
    enabled = bool(enabled)
    if not principal.may_change_enablement or principal.customer_code != customer_code:
        raise PermissionError(REFUSED)
    wanted = [normalise_nmu(str(nmu)) for nmu in nmus]
    if any(nmu is None for nmu in wanted):
        raise PermissionError(REFUSED)
    lines = list(dict.fromkeys(nmu for nmu in wanted if nmu is not None))
    with connections.cursor(path) as cursor:
        customer = first_row(frame(cursor, "customers_in_scope", customers=[customer_code]))
        if customer is None or customer["segment"] != ENABLEMENT_PROFILE_SEGMENT[principal.profile]:
            raise PermissionError(REFUSED)
        own_lines = set(frame(cursor, "customer_line_numbers", customer_code=customer_code)["nmu"])
        if not set(lines) <= own_lines:
            raise PermissionError(REFUSED)
        with accounts.enablement_transaction(path) as app:
            changes = accounts.read_enablement_changes(app, [customer_code])
            states = line_states(cursor, changes, [customer_code])
            before = {
                nmu: (None if is_missing(state) else bool(state))
                for nmu, state in zip(states["nmu"], states["enabled"], strict=True)
            }
            changed = [
                accounts.EnablementChange(customer_code, nmu, before.get(nmu), enabled)
                for nmu in lines
                if is_true(before.get(nmu)) != enabled
            ]
            accounts.append_enablement_changes(
                app, principal.login, changed, accounts.local_now()
            )
    return len(changed)


def audit_trail(
    principal: Principal, customer_code: str, warehouse: WarehousePath = None
) -> pd.DataFrame:
    """Every enablement change of a customer's lines, newest first (read-only).

    Columns: changed_at, changed_by, customer_code, nmu, enabled_before, enabled_after,
    source ('dashboard': made here, from the app store; 'export': from the abilitazioni
    exports' versions). Empty for a Dipendente or a customer not in scope.
    """
    path = warehouse_or_default(warehouse)
    code = _text(customer_code)
    with connections.cursor(path) as cursor:
        allowed = _line_scope(principal, cursor, path, code)
        customers = [code] if allowed and code else []
        changes = accounts.enablement_changes(path, customers)
        cursor.register("app_changes", changes)
        return frame(cursor, "audit_trail", customer_code=code if allowed else None)


# ---------------------------------------------------------------- carrier views


def portfolio(
    principal: Principal, as_of: date | None = None, warehouse: WarehousePath = None
) -> pd.DataFrame:
    """One row per customer in scope, for Account Manager and Management (else empty).

    Columns: customer_code, company_name, segment, region, account_manager,
    covered_devices (protection Attiva), coverage_expiring_90_days, claims_12_months
    (opened in the 12 months up to as_of), claims_per_100_devices, met_12_months,
    breached_12_months (claims due in those 12 months), compliance, open_at_risk,
    open_breached. Most pressing customers first.
    """
    path = warehouse_or_default(warehouse)
    with connections.cursor(path) as cursor:
        scope = resolve_scope(principal, cursor, path) if principal.may_see_portfolio else NOTHING
        customers = scope.params()["customers"]
        return frame(cursor, "portfolio", as_of=_as_of(as_of), customers=customers)


def data_quality(
    principal: Principal, warehouse: WarehousePath = None, quarantine_limit: int = 1000
) -> DataQuality | None:
    """Load log, quarantined rows with their reasons, reason and flag counts: Management only.

    load_log: load_id, file_name, kind, file_format, encoding, delimiter, file_date,
    read_rows, loaded_rows, superseded_rows, quarantined_rows, extra_columns, started_at,
    finished_at. quarantine: load_id, file_name, kind, line, raw_values (JSON text),
    reasons (list). quarantine_reasons: kind, reason, rows. flag_counts: entity ('claim'
    or 'enablement'), flag, rows. None for every other profile.
    """
    if not principal.may_see_data_quality:
        return None
    with connections.cursor(warehouse_or_default(warehouse)) as cursor:
        return DataQuality(
            load_log=frame(cursor, "load_log"),
            quarantine=frame(cursor, "quarantine", limit=quarantine_limit),
            quarantine_reasons=frame(cursor, "quarantine_reasons"),
            flag_counts=frame(cursor, "flag_counts"),
        )

"""The demo claims: each claim's life as versions, from opening to closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import combinations

import numpy as np
import pandas as pd

from pipelines.demo.accounts import STAFF_DOMAIN
from pipelines.demo.days import Calendar, as_date, at_hours, timestamps, to_day_number
from pipelines.demo.identifiers import imei_bodies, imeis, mobile_lines
from pipelines.demo.plan import Plan, take
from pipelines.demo.reference import (
    ACCEPTED,
    ACTIVE,
    AMMINISTRATORE,
    BUSINESS_DAYS_TAKEN,
    CANCELLED,
    CEASED,
    CHANNELS,
    CLAIM_HISTORY_DAYS,
    COMPANY_DELIVERY,
    DAILY_FILES,
    DIPENDENTE,
    E_AVAILABLE,
    E_CANCELLED,
    E_CLOSED,
    E_KO,
    E_OPEN,
    E_PARTIAL_DOCS,
    E_REJECTED,
    E_SHIPPED,
    E_WORK,
    FAULT_CAUSES,
    FAULT_REJECTIONS,
    INACTIVE,
    KO,
    LEGALE,
    MANDATARIO,
    MASTER,
    MODELS,
    NEVER,
    POINT_DELIVERY,
    PROFILES,
    RATE_GHOST_IMEI,
    RATE_INACTIVE_PROTECTION,
    RATE_TWO_OPEN,
    REASONS,
    REJECTED,
    SECONDS_PER_DAY,
    SERVIZIO_CLIENTI,
    THEFT_REJECTIONS,
)
from pipelines.demo.world import Customers, Devices, Enablements, Points


@dataclass
class Claims:
    frame: pd.DataFrame  # one row per claim, typed
    versions: pd.DataFrame  # one row per version: claim, event, updated_at, period, row styles
    periods: list[str]  # the claims files' periods: months, then days
    imei: np.ndarray
    nmu: np.ndarray
    opened: np.ndarray
    reserved: np.ndarray  # claims of the demo accounts: never dirtied


def _cause_combinations(rng: np.random.Generator, count: int) -> tuple[list[str], np.ndarray]:
    names = [c[0] for c in FAULT_CAUSES]
    weights = np.array([c[1] for c in FAULT_CAUSES])
    combos: list[str] = []
    combo_weights: list[float] = []
    for size, share in ((1, 0.65), (2, 0.30), (3, 0.05)):
        group = list(combinations(range(len(names)), size))
        group_weights = np.array([np.prod(weights[list(g)]) for g in group])
        combos += ["|".join(names[i] for i in g) for g in group]
        combo_weights += list(share * group_weights / group_weights.sum())
    p = np.array(combo_weights)
    return combos, rng.choice(len(combos), count, p=p / p.sum())


def make_claims(
    rng: np.random.Generator,
    plan: Plan,
    calendar: Calendar,
    customers: Customers,
    devices: Devices,
    enablements: Enablements,
    points: Points,
) -> Claims:
    count = plan.claims
    cutoff_day = plan.cutoff
    cutoff = cutoff_day * SECONDS_PER_DAY
    first_day = to_day_number(plan.window_start)

    # opening moments: every day of two years; most weekend and holiday reports are made
    # on the next business day, the rest stay (they exist, and the SLA clock handles them)
    day = rng.integers(first_day, cutoff_day, count)
    moved = calendar.offset(day, 0)
    wait = ~calendar.is_business_day(day) & (rng.random(count) < 0.6) & (moved < cutoff_day)
    day = np.where(wait, moved, day)
    evening = rng.random(count) < 0.13
    hour = np.where(
        evening, rng.uniform(18.0, 23.9, count), np.clip(rng.normal(12.8, 2.7, count), 7.5, 17.98)
    )
    opened = day * SECONDS_PER_DAY + (hour * 3600).astype(np.int64)

    # the device: any device whose protection was active on that day
    eligible = np.flatnonzero(devices.state == ACTIVE)
    eligible = eligible[np.argsort(devices.start[eligible], kind="stable")]
    available = np.maximum(np.searchsorted(devices.start[eligible], day, side="right"), 1)
    device = eligible[(rng.random(count) * available).astype(np.int64)]
    too_early = devices.start[device] > day
    opened[too_early] = devices.start[device[too_early]] * SECONDS_PER_DAY + 10 * 3600
    order = np.argsort(opened, kind="stable")
    opened, device = opened[order], device[order]
    day = opened // SECONDS_PER_DAY

    # the demo accounts' claims: the Dipendente's device has three, the professional three
    reserved = np.zeros(count, dtype=bool)
    settled = np.flatnonzero(day < cutoff_day - 60)
    pool = settled if len(settled) >= 6 else np.arange(count)
    forced = rng.choice(pool, 6, replace=False)
    reserved[forced] = True
    device[forced[:3]] = devices.demo_employee
    professional_devices = np.flatnonzero(devices.customer == customers.demo_professional)
    device[forced[3:]] = rng.choice(professional_devices, 3)

    # planted inconsistencies (flags, not errors)
    free = np.flatnonzero(~reserved)
    inactive_claims = rng.choice(
        free, min(len(free), max(2, round(count * RATE_INACTIVE_PROTECTION))), replace=False
    )
    ceased = np.flatnonzero(devices.state == CEASED)
    ceased = ceased[np.argsort(devices.end[ceased], kind="stable")]
    never_active = np.flatnonzero(devices.state == INACTIVE)
    expired_before = np.searchsorted(devices.end[ceased], day[inactive_claims], side="left")
    for claim, expired in zip(inactive_claims, expired_before, strict=True):
        if expired > 0:
            device[claim] = ceased[rng.integers(0, expired)]
        elif len(never_active):
            device[claim] = never_active[rng.integers(0, len(never_active))]
    reserved_flags = reserved.copy()
    reserved_flags[inactive_claims] = True
    free = np.flatnonzero(~reserved_flags)
    ghost = np.zeros(count, dtype=bool)
    ghost[
        rng.choice(free, min(len(free), max(2, round(count * RATE_GHOST_IMEI))), replace=False)
    ] = True

    # documentation: faults usually complete at once, theft/loss often days later
    theft = rng.random(count) < 0.30
    theft[forced] = False
    u = rng.random(count)
    doc_days = np.select(
        [
            theft & (u < 0.25),
            theft & (u < 0.70),
            theft & (u < 0.95),
            theft & (u < 0.975),
            theft,
            ~theft & (u < 0.97),
            ~theft,
        ],
        [
            0,
            rng.integers(1, 4, count),
            rng.integers(4, 11, count),
            rng.integers(11, 26, count),
            -1,
            0,
            rng.integers(1, 6, count),
        ],
    )
    t_doc = np.where(doc_days > 0, at_hours(rng, day + np.maximum(doc_days, 0), 9, 19), opened)
    later_same_day = ~theft & (u >= 0.88) & (u < 0.97)
    t_doc = np.where(
        later_same_day, opened + (rng.uniform(1, 6, count) * 3600).astype(np.int64), t_doc
    )
    t_doc[forced] = opened[forced]
    t_doc = np.where(doc_days < 0, NEVER, t_doc)
    complete_at_open = t_doc == opened

    id_open = rng.random(count) < 0.7
    report_open = rng.random(count) < 0.35
    form_open = (rng.random(count) < 0.45) & ~(id_open & report_open)
    id_open |= complete_at_open
    report_open |= complete_at_open
    form_open |= complete_at_open
    missing = (~id_open).astype(int) + (~report_open) + (~form_open)
    # the partial update brings the first missing document (identity, report, form)
    id_partial = np.ones(count, dtype=bool)
    report_partial = report_open | id_open
    form_partial = form_open | (id_open & report_open)
    has_partial = theft & (missing >= 2) & (rng.random(count) < 0.7)
    t_partial = np.where(
        t_doc < NEVER,
        opened + ((t_doc - opened) * rng.uniform(0.3, 0.7, count)).astype(np.int64),
        at_hours(rng, day + rng.integers(1, 7, count), 9, 19),
    )
    t_partial = np.where(has_partial, t_partial, NEVER)

    # outcome
    v = rng.random(count)
    outcome = np.select([v < 0.04, v < 0.05, v < 0.06], [REJECTED, KO, CANCELLED], ACCEPTED)
    no_documents = t_doc >= NEVER
    outcome = np.where(
        no_documents, np.where(rng.random(count) < 0.7, REJECTED, CANCELLED), outcome
    )
    outcome[forced] = ACCEPTED
    not_covered = rng.random(len(inactive_claims)) < 0.7
    outcome[inactive_claims] = np.where(not_covered, REJECTED, outcome[inactive_claims])
    fault_reason = rng.choice(
        np.array([REASONS.index(r) for r in FAULT_REJECTIONS]),
        count,
        p=list(FAULT_REJECTIONS.values()),
    )
    theft_reason = rng.choice(
        np.array([REASONS.index(r) for r in THEFT_REJECTIONS]),
        count,
        p=list(THEFT_REJECTIONS.values()),
    )
    reason = np.where(theft, theft_reason, fault_reason)
    reason = np.where(no_documents, REASONS.index("Documentazione incompleta"), reason)
    reason[inactive_claims[not_covered]] = REASONS.index("Protezione non attiva")
    reason = np.where(outcome == KO, REASONS.index("Errore tecnico"), reason)
    reason = np.where((outcome == REJECTED) | (outcome == KO), reason, -1)

    # work starts within hours on business days, else the next business morning
    start_work = opened + (rng.uniform(0.5, 4, count) * 3600).astype(np.int64)
    work_day = start_work // SECONDS_PER_DAY
    work_hour = (start_work % SECONDS_PER_DAY) / 3600
    open_now = calendar.is_business_day(work_day) & (work_hour >= 8.5) & (work_hour < 18)
    morning_day = np.where(
        calendar.is_business_day(work_day) & (work_hour < 8.5),
        work_day,
        calendar.offset(work_day + 1, 0),
    )
    t_work = np.where(open_now, start_work, at_hours(rng, morning_day, 9, 11))
    t_work = np.where(complete_at_open, t_work, t_doc)

    # SLA: the replacement is ready k business days after the clock start S
    clock_day = np.where(no_documents, cutoff_day, t_doc // SECONDS_PER_DAY)
    taken = rng.choice(
        np.array(list(BUSINESS_DAYS_TAKEN)), count, p=list(BUSINESS_DAYS_TAKEN.values())
    )
    pressure = calendar.season_pressure(calendar.offset(clock_day, 0))
    taken = taken + np.where(rng.random(count) < pressure, rng.integers(1, 5, count), 0)
    taken[forced] = np.minimum(taken[forced], 4)
    available_day = calendar.offset(clock_day, taken)
    t_available = np.maximum(
        at_hours(rng, available_day, 9, 18),
        t_work + (rng.uniform(1, 3, count) * 3600).astype(np.int64),
    )

    mode = np.where(
        customers.company[devices.customer[device]],
        rng.random(count) < 0.65,
        rng.random(count) < 0.25,
    ).astype(np.int8)
    # the courier leaves that morning, or the afternoon of the business day before
    available_hour = (t_available - available_day * SECONDS_PER_DAY) / 3600
    same_morning = available_hour >= 10
    day_before = np.busday_offset(
        (available_day - 1).astype("datetime64[D]"), 0, roll="backward", busdaycal=calendar.busdays
    ).astype(np.int64)
    morning_hour = 7.5 + rng.random(count) * np.maximum(available_hour - 8.5, 0)
    t_shipped = np.where(
        same_morning,
        available_day * SECONDS_PER_DAY + (morning_hour * 3600).astype(np.int64),
        at_hours(rng, day_before, 14, 18),
    )
    t_shipped = np.where((mode == COMPANY_DELIVERY) & (t_shipped > t_work + 600), t_shipped, NEVER)
    pickup = np.where(
        mode == POINT_DELIVERY,
        rng.choice(8, count, p=[0.2, 0.3, 0.2, 0.1, 0.08, 0.05, 0.04, 0.03]),
        rng.choice(3, count, p=[0.55, 0.35, 0.10]),
    )
    t_closed = np.maximum(
        at_hours(rng, available_day + pickup, 9, 19),
        t_available + (rng.uniform(0.5, 3, count) * 3600).astype(np.int64),
    )

    decided_day = calendar.offset(clock_day, rng.integers(1, 6, count))
    t_rejected = np.maximum(at_hours(rng, decided_day, 10, 17), t_work + 3600)
    t_rejected = np.where(
        no_documents, at_hours(rng, day + rng.integers(30, 46, count), 10, 17), t_rejected
    )
    t_ko = np.maximum(
        at_hours(rng, calendar.offset(clock_day, rng.integers(2, 9, count)), 10, 17), t_work + 3600
    )
    t_cancelled = np.where(
        no_documents,
        at_hours(rng, day + rng.integers(7, 21, count), 9, 18),
        opened + (rng.uniform(1, 72, count) * 3600).astype(np.int64),
    )

    accepted = outcome == ACCEPTED
    cancelled = outcome == CANCELLED
    events = {
        E_OPEN: opened,
        E_PARTIAL_DOCS: np.where(cancelled & (t_partial > t_cancelled), NEVER, t_partial),
        E_WORK: np.where(cancelled & (t_work > t_cancelled), NEVER, t_work),
        E_SHIPPED: np.where(accepted, t_shipped, NEVER),
        E_AVAILABLE: np.where(accepted, t_available, NEVER),
        E_CLOSED: np.where(accepted, t_closed, NEVER),
        E_REJECTED: np.where(outcome == REJECTED, t_rejected, NEVER),
        E_KO: np.where(outcome == KO, t_ko, NEVER),
        E_CANCELLED: np.where(cancelled, t_cancelled, NEVER),
    }
    events[E_WORK] = np.where(no_documents, NEVER, events[E_WORK])

    # two open claims for one IMEI: a later open claim lands on an earlier one's device
    still_open = (
        (events[E_AVAILABLE] >= cutoff)
        & (events[E_CLOSED] >= cutoff)
        & (events[E_REJECTED] >= cutoff)
        & (events[E_KO] >= cutoff)
        & (events[E_CANCELLED] >= cutoff)
    )
    candidates = np.flatnonzero(still_open & ~reserved_flags & ~ghost)
    pairs = min(len(candidates) // 2, max(2, round(count * RATE_TWO_OPEN)))
    if pairs:
        picked = np.sort(rng.choice(candidates, 2 * pairs, replace=False))
        earlier, later = picked[:pairs], picked[pairs:]
        device[later] = device[earlier]

    customer = devices.customer[device]
    company = customers.company[customer]
    imei = devices.imei[device].copy()
    nmu = devices.nmu[device].copy()
    model = devices.model[device].astype(np.int64)
    ghost_model = rng.integers(0, len(MODELS), int(ghost.sum()))
    imei[ghost] = imeis(imei_bodies(rng, ghost_model, devices.imei // 10))
    nmu[ghost] = mobile_lines(rng, int(ghost.sum()), devices.nmu)
    model[ghost] = ghost_model

    # who opened it, and how
    channel = np.where(
        company,
        rng.choice(4, count, p=[0.55, 0.15, 0.0, 0.30]),
        rng.choice(4, count, p=[0.45, 0.15, 0.40, 0.0]),
    ).astype(np.int8)
    by_employee = (
        enablements.employee_user[device]
        & (enablements.enabled_at[device] < opened)
        & ~ghost
        & (rng.random(count) < 0.5)
    )
    second = rng.random(count) < 0.45
    profile = np.select(
        [
            channel >= 2,
            company & (channel == 0) & by_employee,
            company & second,
            company,
            customers.has_admin[customer] & (rng.random(count) < 0.3),
        ],
        [SERVIZIO_CLIENTI, DIPENDENTE, MASTER, MANDATARIO, AMMINISTRATORE],
        LEGALE,
    ).astype(np.int8)
    channel[forced[:3]] = 0
    profile[forced[:3]] = DIPENDENTE
    operator = rng.integers(1, 80, count)

    province = customers.province[customer]
    point = points.start[province] + (rng.random(count) * points.count[province]).astype(np.int64)
    causes, cause = _cause_combinations(rng, count)

    # replacement: the same model, or its successor when the model is out of stock
    successor = np.array(
        [
            next((j for j, other in enumerate(MODELS) if other.name == m.successor), i)
            for i, m in enumerate(MODELS)
        ]
    )
    equivalent_share = np.array([m.equivalent_share for m in MODELS])
    equivalent = rng.random(count) < equivalent_share[model]
    replacement_model = np.where(equivalent, successor[model], model)
    equivalent = replacement_model != model
    replacement_imei = imeis(imei_bodies(rng, replacement_model, np.r_[devices.imei, imei] // 10))

    # ticket numbers run through each year in opening order
    year = opened.view("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    first_year = int(year[0]) if count else plan.today.year
    before_window = to_day_number(plan.window_start) - to_day_number(date(first_year, 1, 1))
    yearly_base = {first_year: round(count / CLAIM_HISTORY_DAYS * before_window)}
    sequence = np.zeros(count, dtype=np.int64)
    for value in range(int(year.min()), int(year.max()) + 1):
        in_year = year == value
        sequence[in_year] = np.arange(1, in_year.sum() + 1) + yearly_base.get(int(value), 0)

    # who opened it: the login of the profile that did
    people = customers.frame
    opened_by = "sc.operatore" + pd.Series(operator, dtype="str").str.zfill(3) + "@" + STAFF_DOMAIN
    for code, logins in (
        (LEGALE, people["legale_login"]),
        (AMMINISTRATORE, people["admin_login"]),
        (MANDATARIO, people["mandatario_login"]),
        (MASTER, people["master_login"]),
    ):
        opened_by = opened_by.where(profile != code, take(logins, customer))
    opened_by = opened_by.where(profile != DIPENDENTE, take(devices.email, device))

    model_names = [m.name for m in MODELS]
    frame = pd.DataFrame(
        {
            "request_number": "KA-"
            + pd.Series(year, dtype="str")
            + "-"
            + pd.Series(sequence, dtype="str").str.zfill(7),
            "customer_code": take(people["customer_code"], customer),
            "nmu": pd.Series(nmu, dtype="str"),
            "imei": imei,
            "theft": theft,
            "fault_causes": pd.Categorical.from_codes(np.where(theft, -1, cause), causes),
            "channel": pd.Categorical.from_codes(channel, CHANNELS),
            "opened_by": opened_by,
            "opening_profile": pd.Categorical.from_codes(profile, PROFILES),
            "opened_at": timestamps(opened),
            "id_open": id_open,
            "report_open": report_open,
            "form_open": form_open,
            "id_partial": id_partial,
            "report_partial": report_partial,
            "form_partial": form_partial,
            "partial_at": timestamps(t_partial),
            "documents_at": timestamps(t_doc),
            "mode": mode,
            "point_code": take(points.frame["point_code"], point),
            "company_address": take(people["address"], customer),
            "reason": pd.Categorical.from_codes(reason, REASONS),
            "available_at": timestamps(events[E_AVAILABLE]),
            "replacement_imei": replacement_imei,
            "replacement_model": pd.Categorical.from_codes(replacement_model, model_names),
            "equivalent": equivalent,
        }
    )

    # versions: every event before the cut-off, filed in the period of its timestamp
    daily_start = to_day_number(plan.daily_start)
    first_month = np.datetime64(plan.window_start, "M")
    last_month = np.datetime64(as_date(daily_start - 1), "M")
    months = int((last_month - first_month).astype(np.int64)) + 1
    periods = [str(first_month + i) for i in range(months)]
    periods += [str(np.datetime64(as_date(daily_start + i), "D")) for i in range(DAILY_FILES)]
    version_claim, version_event, version_time = [], [], []
    for event, moments in events.items():
        happened = np.flatnonzero(moments < cutoff)
        version_claim.append(happened)
        version_event.append(np.full(len(happened), event, dtype=np.int8))
        version_time.append(moments[happened])
    claim_of = np.concatenate(version_claim)
    event_of = np.concatenate(version_event)
    updated = np.concatenate(version_time)
    version_day = updated // SECONDS_PER_DAY
    month_index = (
        version_day.astype("datetime64[D]").astype("datetime64[M]") - first_month
    ).astype(np.int64)
    period = np.where(version_day >= daily_start, months + version_day - daily_start, month_index)
    versions = pd.DataFrame(
        {
            "row_id": np.arange(len(claim_of), dtype=np.int64),
            "claim": claim_of.astype(np.int32),
            "event": event_of,
            "updated_at": updated.view("datetime64[s]"),
            "period": period.astype(np.int16),
            "iso": False,
            "bool_variant": False,
        }
    )
    return Claims(frame, versions, periods, imei, nmu, opened, reserved)

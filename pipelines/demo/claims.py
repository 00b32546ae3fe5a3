"""The demo claims: each claim's life as versions, from opening to closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

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


@dataclass(frozen=True)
class _World:
    """What the claims are drawn over: the plan, the calendar and the world made before."""

    plan: Plan
    calendar: Calendar
    customers: Customers
    devices: Devices
    enablements: Enablements
    points: Points

    @property
    def count(self) -> int:
        return self.plan.claims

    @property
    def cutoff_day(self) -> int:
        return self.plan.cutoff

    @property
    def cutoff(self) -> int:
        return self.plan.cutoff * SECONDS_PER_DAY

    @property
    def first_day(self) -> int:
        return to_day_number(self.plan.window_start)


class _Draft:
    """The claims being drawn, a column (array) at a time: each phase adds its own."""

    day: Any
    device: Any
    opened: Any
    forced: Any
    reserved: Any
    ghost: Any
    inactive_claims: Any
    reserved_flags: Any
    complete_at_open: Any
    form_open: Any
    form_partial: Any
    id_open: Any
    id_partial: Any
    report_open: Any
    report_partial: Any
    t_doc: Any
    t_partial: Any
    theft: Any
    no_documents: Any
    outcome: Any
    reason: Any
    events: Any
    mode: Any
    company: Any
    customer: Any
    imei: Any
    model: Any
    nmu: Any
    cause: Any
    causes: Any
    channel: Any
    operator: Any
    point: Any
    profile: Any
    equivalent: Any
    replacement_imei: Any
    replacement_model: Any
    sequence: Any
    year: Any
    opened_by: Any
    people: Any
    frame: Any
    periods: Any
    versions: Any


def make_claims(
    rng: np.random.Generator,
    plan: Plan,
    calendar: Calendar,
    customers: Customers,
    devices: Devices,
    enablements: Enablements,
    points: Points,
) -> Claims:
    """Draw every claim's life, phase by phase, from one random stream (in this order: the
    same seed gives the same claims)."""
    world = _World(plan, calendar, customers, devices, enablements, points)
    draft = _Draft()
    for phase in (
        _openings,
        _demo_claims,
        _planted,
        _documentation,
        _outcomes,
        _timeline,
        _two_open,
        _identity,
        _opening_channel,
        _replacements,
        _numbers,
        _opened_by,
        _frame,
        _versions,
    ):
        phase(rng, world, draft)
    return Claims(
        draft.frame,
        draft.versions,
        draft.periods,
        draft.imei,
        draft.nmu,
        draft.opened,
        draft.reserved,
    )


def _openings(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """When each claim is opened, and for which device (one active on that day)."""
    # opening moments: every day of two years; most weekend and holiday reports are made
    # on the next business day, the rest stay (they exist, and the SLA clock handles them)
    draft.day = rng.integers(world.first_day, world.cutoff_day, world.count)
    moved = world.calendar.offset(draft.day, 0)
    wait = (
        ~world.calendar.is_business_day(draft.day)
        & (rng.random(world.count) < 0.6)
        & (moved < world.cutoff_day)
    )
    draft.day = np.where(wait, moved, draft.day)
    evening = rng.random(world.count) < 0.13
    hour = np.where(
        evening,
        rng.uniform(18.0, 23.9, world.count),
        np.clip(rng.normal(12.8, 2.7, world.count), 7.5, 17.98),
    )
    draft.opened = draft.day * SECONDS_PER_DAY + (hour * 3600).astype(np.int64)

    # the device: any device whose protection was active on that day
    eligible = np.flatnonzero(world.devices.state == ACTIVE)
    eligible = eligible[np.argsort(world.devices.start[eligible], kind="stable")]
    available = np.maximum(
        np.searchsorted(world.devices.start[eligible], draft.day, side="right"), 1
    )
    draft.device = eligible[(rng.random(world.count) * available).astype(np.int64)]
    too_early = world.devices.start[draft.device] > draft.day
    draft.opened[too_early] = (
        world.devices.start[draft.device[too_early]] * SECONDS_PER_DAY + 10 * 3600
    )
    order = np.argsort(draft.opened, kind="stable")
    draft.opened, draft.device = draft.opened[order], draft.device[order]
    draft.day = draft.opened // SECONDS_PER_DAY


def _demo_claims(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """The demo accounts' claims: three on the Dipendente's device, three more."""
    # the demo accounts' claims: the Dipendente's device has three, the professional three
    draft.reserved = np.zeros(world.count, dtype=bool)
    settled = np.flatnonzero(draft.day < world.cutoff_day - 60)
    pool = settled if len(settled) >= 6 else np.arange(world.count)
    draft.forced = rng.choice(pool, 6, replace=False)
    draft.reserved[draft.forced] = True
    draft.device[draft.forced[:3]] = world.devices.demo_employee
    professional_devices = np.flatnonzero(
        world.devices.customer == world.customers.demo_professional
    )
    draft.device[draft.forced[3:]] = rng.choice(professional_devices, 3)


def _planted(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """Planted inconsistencies (flags): protection not active, IMEIs not in inventory."""
    # planted inconsistencies (flags, not errors)
    free = np.flatnonzero(~draft.reserved)
    draft.inactive_claims = rng.choice(
        free, min(len(free), max(2, round(world.count * RATE_INACTIVE_PROTECTION))), replace=False
    )
    ceased = np.flatnonzero(world.devices.state == CEASED)
    ceased = ceased[np.argsort(world.devices.end[ceased], kind="stable")]
    never_active = np.flatnonzero(world.devices.state == INACTIVE)
    expired_before = np.searchsorted(
        world.devices.end[ceased], draft.day[draft.inactive_claims], side="left"
    )
    for claim, expired in zip(draft.inactive_claims, expired_before, strict=True):
        if expired > 0:
            draft.device[claim] = ceased[rng.integers(0, expired)]
        elif len(never_active):
            draft.device[claim] = never_active[rng.integers(0, len(never_active))]
    draft.reserved_flags = draft.reserved.copy()
    draft.reserved_flags[draft.inactive_claims] = True
    free = np.flatnonzero(~draft.reserved_flags)
    draft.ghost = np.zeros(world.count, dtype=bool)
    draft.ghost[
        rng.choice(
            free, min(len(free), max(2, round(world.count * RATE_GHOST_IMEI))), replace=False
        )
    ] = True


def _documentation(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """When the documentation is complete; which documents came first, and when."""
    # documentation: faults usually complete at once, theft/loss often days later
    draft.theft = rng.random(world.count) < 0.30
    draft.theft[draft.forced] = False
    u = rng.random(world.count)
    doc_days = np.select(
        [
            draft.theft & (u < 0.25),
            draft.theft & (u < 0.70),
            draft.theft & (u < 0.95),
            draft.theft & (u < 0.975),
            draft.theft,
            ~draft.theft & (u < 0.97),
            ~draft.theft,
        ],
        [
            0,
            rng.integers(1, 4, world.count),
            rng.integers(4, 11, world.count),
            rng.integers(11, 26, world.count),
            -1,
            0,
            rng.integers(1, 6, world.count),
        ],
    )
    draft.t_doc = np.where(
        doc_days > 0, at_hours(rng, draft.day + np.maximum(doc_days, 0), 9, 19), draft.opened
    )
    later_same_day = ~draft.theft & (u >= 0.88) & (u < 0.97)
    draft.t_doc = np.where(
        later_same_day,
        draft.opened + (rng.uniform(1, 6, world.count) * 3600).astype(np.int64),
        draft.t_doc,
    )
    draft.t_doc[draft.forced] = draft.opened[draft.forced]
    draft.t_doc = np.where(doc_days < 0, NEVER, draft.t_doc)
    draft.complete_at_open = draft.t_doc == draft.opened

    draft.id_open = rng.random(world.count) < 0.7
    draft.report_open = rng.random(world.count) < 0.35
    draft.form_open = (rng.random(world.count) < 0.45) & ~(draft.id_open & draft.report_open)
    draft.id_open |= draft.complete_at_open
    draft.report_open |= draft.complete_at_open
    draft.form_open |= draft.complete_at_open
    missing = (~draft.id_open).astype(int) + (~draft.report_open) + (~draft.form_open)
    # the partial update brings the first missing document (identity, report, form)
    draft.id_partial = np.ones(world.count, dtype=bool)
    draft.report_partial = draft.report_open | draft.id_open
    draft.form_partial = draft.form_open | (draft.id_open & draft.report_open)
    has_partial = draft.theft & (missing >= 2) & (rng.random(world.count) < 0.7)
    draft.t_partial = np.where(
        draft.t_doc < NEVER,
        draft.opened
        + ((draft.t_doc - draft.opened) * rng.uniform(0.3, 0.7, world.count)).astype(np.int64),
        at_hours(rng, draft.day + rng.integers(1, 7, world.count), 9, 19),
    )
    draft.t_partial = np.where(has_partial, draft.t_partial, NEVER)


def _outcomes(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """How each claim ends (accepted, rejected, failed, withdrawn), and why."""
    # outcome
    v = rng.random(world.count)
    draft.outcome = np.select([v < 0.04, v < 0.05, v < 0.06], [REJECTED, KO, CANCELLED], ACCEPTED)
    draft.no_documents = draft.t_doc >= NEVER
    draft.outcome = np.where(
        draft.no_documents,
        np.where(rng.random(world.count) < 0.7, REJECTED, CANCELLED),
        draft.outcome,
    )
    draft.outcome[draft.forced] = ACCEPTED
    not_covered = rng.random(len(draft.inactive_claims)) < 0.7
    draft.outcome[draft.inactive_claims] = np.where(
        not_covered, REJECTED, draft.outcome[draft.inactive_claims]
    )
    fault_reason = rng.choice(
        np.array([REASONS.index(r) for r in FAULT_REJECTIONS]),
        world.count,
        p=list(FAULT_REJECTIONS.values()),
    )
    theft_reason = rng.choice(
        np.array([REASONS.index(r) for r in THEFT_REJECTIONS]),
        world.count,
        p=list(THEFT_REJECTIONS.values()),
    )
    draft.reason = np.where(draft.theft, theft_reason, fault_reason)
    draft.reason = np.where(
        draft.no_documents, REASONS.index("Documentazione incompleta"), draft.reason
    )
    draft.reason[draft.inactive_claims[not_covered]] = REASONS.index("Protezione non attiva")
    draft.reason = np.where(draft.outcome == KO, REASONS.index("Errore tecnico"), draft.reason)
    draft.reason = np.where((draft.outcome == REJECTED) | (draft.outcome == KO), draft.reason, -1)


def _timeline(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """Each claim's events in time: work, shipping, availability, closing or its end."""
    # work starts within hours on business days, else the next business morning
    start_work = draft.opened + (rng.uniform(0.5, 4, world.count) * 3600).astype(np.int64)
    work_day = start_work // SECONDS_PER_DAY
    work_hour = (start_work % SECONDS_PER_DAY) / 3600
    open_now = world.calendar.is_business_day(work_day) & (work_hour >= 8.5) & (work_hour < 18)
    morning_day = np.where(
        world.calendar.is_business_day(work_day) & (work_hour < 8.5),
        work_day,
        world.calendar.offset(work_day + 1, 0),
    )
    t_work = np.where(open_now, start_work, at_hours(rng, morning_day, 9, 11))
    t_work = np.where(draft.complete_at_open, t_work, draft.t_doc)

    # SLA: the replacement is ready k business days after the clock start S
    clock_day = np.where(draft.no_documents, world.cutoff_day, draft.t_doc // SECONDS_PER_DAY)
    taken = rng.choice(
        np.array(list(BUSINESS_DAYS_TAKEN)), world.count, p=list(BUSINESS_DAYS_TAKEN.values())
    )
    pressure = world.calendar.season_pressure(world.calendar.offset(clock_day, 0))
    taken = taken + np.where(rng.random(world.count) < pressure, rng.integers(1, 5, world.count), 0)
    taken[draft.forced] = np.minimum(taken[draft.forced], 4)
    available_day = world.calendar.offset(clock_day, taken)
    t_available = np.maximum(
        at_hours(rng, available_day, 9, 18),
        t_work + (rng.uniform(1, 3, world.count) * 3600).astype(np.int64),
    )

    draft.mode = np.where(
        world.customers.company[world.devices.customer[draft.device]],
        rng.random(world.count) < 0.65,
        rng.random(world.count) < 0.25,
    ).astype(np.int8)
    # the courier leaves that morning, or the afternoon of the business day before
    available_hour = (t_available - available_day * SECONDS_PER_DAY) / 3600
    same_morning = available_hour >= 10
    day_before = np.busday_offset(
        (available_day - 1).astype("datetime64[D]"),
        0,
        roll="backward",
        busdaycal=world.calendar.busdays,
    ).astype(np.int64)
    morning_hour = 7.5 + rng.random(world.count) * np.maximum(available_hour - 8.5, 0)
    t_shipped = np.where(
        same_morning,
        available_day * SECONDS_PER_DAY + (morning_hour * 3600).astype(np.int64),
        at_hours(rng, day_before, 14, 18),
    )
    t_shipped = np.where(
        (draft.mode == COMPANY_DELIVERY) & (t_shipped > t_work + 600), t_shipped, NEVER
    )
    pickup = np.where(
        draft.mode == POINT_DELIVERY,
        rng.choice(8, world.count, p=[0.2, 0.3, 0.2, 0.1, 0.08, 0.05, 0.04, 0.03]),
        rng.choice(3, world.count, p=[0.55, 0.35, 0.10]),
    )
    t_closed = np.maximum(
        at_hours(rng, available_day + pickup, 9, 19),
        t_available + (rng.uniform(0.5, 3, world.count) * 3600).astype(np.int64),
    )

    decided_day = world.calendar.offset(clock_day, rng.integers(1, 6, world.count))
    t_rejected = np.maximum(at_hours(rng, decided_day, 10, 17), t_work + 3600)
    t_rejected = np.where(
        draft.no_documents,
        at_hours(rng, draft.day + rng.integers(30, 46, world.count), 10, 17),
        t_rejected,
    )
    t_ko = np.maximum(
        at_hours(rng, world.calendar.offset(clock_day, rng.integers(2, 9, world.count)), 10, 17),
        t_work + 3600,
    )
    t_cancelled = np.where(
        draft.no_documents,
        at_hours(rng, draft.day + rng.integers(7, 21, world.count), 9, 18),
        draft.opened + (rng.uniform(1, 72, world.count) * 3600).astype(np.int64),
    )

    accepted = draft.outcome == ACCEPTED
    cancelled = draft.outcome == CANCELLED
    draft.events = {
        E_OPEN: draft.opened,
        E_PARTIAL_DOCS: np.where(
            cancelled & (draft.t_partial > t_cancelled), NEVER, draft.t_partial
        ),
        E_WORK: np.where(cancelled & (t_work > t_cancelled), NEVER, t_work),
        E_SHIPPED: np.where(accepted, t_shipped, NEVER),
        E_AVAILABLE: np.where(accepted, t_available, NEVER),
        E_CLOSED: np.where(accepted, t_closed, NEVER),
        E_REJECTED: np.where(draft.outcome == REJECTED, t_rejected, NEVER),
        E_KO: np.where(draft.outcome == KO, t_ko, NEVER),
        E_CANCELLED: np.where(cancelled, t_cancelled, NEVER),
    }
    draft.events[E_WORK] = np.where(draft.no_documents, NEVER, draft.events[E_WORK])


def _two_open(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """A few devices with two open claims: a later one lands on an earlier one's device."""
    # two open claims for one IMEI: a later open claim lands on an earlier one's device
    still_open = (
        (draft.events[E_AVAILABLE] >= world.cutoff)
        & (draft.events[E_CLOSED] >= world.cutoff)
        & (draft.events[E_REJECTED] >= world.cutoff)
        & (draft.events[E_KO] >= world.cutoff)
        & (draft.events[E_CANCELLED] >= world.cutoff)
    )
    candidates = np.flatnonzero(still_open & ~draft.reserved_flags & ~draft.ghost)
    pairs = min(len(candidates) // 2, max(2, round(world.count * RATE_TWO_OPEN)))
    if pairs:
        picked = np.sort(rng.choice(candidates, 2 * pairs, replace=False))
        earlier, later = picked[:pairs], picked[pairs:]
        draft.device[later] = draft.device[earlier]


def _identity(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """Each claim's customer, IMEI, line and model (the ghost IMEIs drawn fresh)."""
    draft.customer = world.devices.customer[draft.device]
    draft.company = world.customers.company[draft.customer]
    draft.imei = world.devices.imei[draft.device].copy()
    draft.nmu = world.devices.nmu[draft.device].copy()
    draft.model = world.devices.model[draft.device].astype(np.int64)
    ghost_model = rng.integers(0, len(MODELS), int(draft.ghost.sum()))
    draft.imei[draft.ghost] = imeis(imei_bodies(rng, ghost_model, world.devices.imei // 10))
    draft.nmu[draft.ghost] = mobile_lines(rng, int(draft.ghost.sum()), world.devices.nmu)
    draft.model[draft.ghost] = ghost_model


def _opening_channel(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """Who opened each claim and how; its assistance point and fault causes."""
    # who opened it, and how
    draft.channel = np.where(
        draft.company,
        rng.choice(4, world.count, p=[0.55, 0.15, 0.0, 0.30]),
        rng.choice(4, world.count, p=[0.45, 0.15, 0.40, 0.0]),
    ).astype(np.int8)
    by_employee = (
        world.enablements.employee_user[draft.device]
        & (world.enablements.enabled_at[draft.device] < draft.opened)
        & ~draft.ghost
        & (rng.random(world.count) < 0.5)
    )
    second = rng.random(world.count) < 0.45
    draft.profile = np.select(
        [
            draft.channel >= 2,
            draft.company & (draft.channel == 0) & by_employee,
            draft.company & second,
            draft.company,
            world.customers.has_admin[draft.customer] & (rng.random(world.count) < 0.3),
        ],
        [SERVIZIO_CLIENTI, DIPENDENTE, MASTER, MANDATARIO, AMMINISTRATORE],
        LEGALE,
    ).astype(np.int8)
    draft.channel[draft.forced[:3]] = 0
    draft.profile[draft.forced[:3]] = DIPENDENTE
    draft.operator = rng.integers(1, 80, world.count)

    province = world.customers.province[draft.customer]
    draft.point = world.points.start[province] + (
        rng.random(world.count) * world.points.count[province]
    ).astype(np.int64)
    draft.causes, draft.cause = _cause_combinations(rng, world.count)


def _replacements(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """The replacement: the same model, or its successor when the model is out of stock."""
    # replacement: the same model, or its successor when the model is out of stock
    successor = np.array(
        [
            next((j for j, other in enumerate(MODELS) if other.name == m.successor), i)
            for i, m in enumerate(MODELS)
        ]
    )
    equivalent_share = np.array([m.equivalent_share for m in MODELS])
    draft.equivalent = rng.random(world.count) < equivalent_share[draft.model]
    draft.replacement_model = np.where(draft.equivalent, successor[draft.model], draft.model)
    draft.equivalent = draft.replacement_model != draft.model
    draft.replacement_imei = imeis(
        imei_bodies(rng, draft.replacement_model, np.r_[world.devices.imei, draft.imei] // 10)
    )


def _numbers(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """Request numbers, running through each year in opening order."""
    # ticket numbers run through each year in opening order
    draft.year = draft.opened.view("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    first_year = int(draft.year[0]) if world.count else world.plan.today.year
    before_window = to_day_number(world.plan.window_start) - to_day_number(date(first_year, 1, 1))
    yearly_base = {first_year: round(world.count / CLAIM_HISTORY_DAYS * before_window)}
    draft.sequence = np.zeros(world.count, dtype=np.int64)
    for value in range(int(draft.year.min()), int(draft.year.max()) + 1):
        in_year = draft.year == value
        draft.sequence[in_year] = np.arange(1, in_year.sum() + 1) + yearly_base.get(int(value), 0)


def _opened_by(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """The login of whoever opened each claim."""
    # who opened it: the login of the profile that did
    draft.people = world.customers.frame
    draft.opened_by = (
        "sc.operatore" + pd.Series(draft.operator, dtype="str").str.zfill(3) + "@" + STAFF_DOMAIN
    )
    for code, logins in (
        (LEGALE, draft.people["legale_login"]),
        (AMMINISTRATORE, draft.people["admin_login"]),
        (MANDATARIO, draft.people["mandatario_login"]),
        (MASTER, draft.people["master_login"]),
    ):
        draft.opened_by = draft.opened_by.where(draft.profile != code, take(logins, draft.customer))
    draft.opened_by = draft.opened_by.where(
        draft.profile != DIPENDENTE, take(world.devices.email, draft.device)
    )


def _frame(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """One row per claim, typed, for the writer."""
    model_names = [m.name for m in MODELS]
    draft.frame = pd.DataFrame(
        {
            "request_number": "KA-"
            + pd.Series(draft.year, dtype="str")
            + "-"
            + pd.Series(draft.sequence, dtype="str").str.zfill(7),
            "customer_code": take(draft.people["customer_code"], draft.customer),
            "nmu": pd.Series(draft.nmu, dtype="str"),
            "imei": draft.imei,
            "theft": draft.theft,
            "fault_causes": pd.Categorical.from_codes(
                np.where(draft.theft, -1, draft.cause), draft.causes
            ),
            "channel": pd.Categorical.from_codes(draft.channel, CHANNELS),
            "opened_by": draft.opened_by,
            "opening_profile": pd.Categorical.from_codes(draft.profile, PROFILES),
            "opened_at": timestamps(draft.opened),
            "id_open": draft.id_open,
            "report_open": draft.report_open,
            "form_open": draft.form_open,
            "id_partial": draft.id_partial,
            "report_partial": draft.report_partial,
            "form_partial": draft.form_partial,
            "partial_at": timestamps(draft.t_partial),
            "documents_at": timestamps(draft.t_doc),
            "mode": draft.mode,
            "point_code": take(world.points.frame["point_code"], draft.point),
            "company_address": take(draft.people["address"], draft.customer),
            "reason": pd.Categorical.from_codes(draft.reason, REASONS),
            "available_at": timestamps(draft.events[E_AVAILABLE]),
            "replacement_imei": draft.replacement_imei,
            "replacement_model": pd.Categorical.from_codes(draft.replacement_model, model_names),
            "equivalent": draft.equivalent,
        }
    )


def _versions(rng: np.random.Generator, world: _World, draft: _Draft) -> None:
    """Every event before the cut-off is a version, filed in its timestamp's period."""
    # versions: every event before the cut-off, filed in the period of its timestamp
    daily_start = to_day_number(world.plan.daily_start)
    first_month = np.datetime64(world.plan.window_start, "M")
    last_month = np.datetime64(as_date(daily_start - 1), "M")
    months = int((last_month - first_month).astype(np.int64)) + 1
    draft.periods = [str(first_month + i) for i in range(months)]
    draft.periods += [str(np.datetime64(as_date(daily_start + i), "D")) for i in range(DAILY_FILES)]
    version_claim, version_event, version_time = [], [], []
    for event, moments in draft.events.items():
        happened = np.flatnonzero(moments < world.cutoff)
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
    draft.versions = pd.DataFrame(
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

"""What one run produces (counts and dates) and the pools of names it draws from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from faker import Faker

from pipelines.demo.days import as_date, to_day_number
from pipelines.demo.reference import CLAIM_HISTORY_DAYS, DAILY_FILES, SCALES


@dataclass(frozen=True)
class Plan:
    """The counts and dates one run produces."""

    seed: int
    professionals: int
    companies: int
    devices: int
    claims: int
    account_managers: int
    demo_portfolio: int
    today: date
    window_start: date  # first day a claim may be opened
    daily_start: date  # first day with a claims file of its own
    snapshot: date  # the day of the full device inventory

    @property
    def customers(self) -> int:
        return self.professionals + self.companies

    @property
    def cutoff(self) -> int:
        """Day number of `today`: the exports hold what happened before it."""
        return to_day_number(self.today)


def make_plan(
    seed: int,
    scale: str,
    customers: int | None,
    devices: int | None,
    claims: int | None,
    today: date | None,
) -> Plan:
    """The scale's counts, overridden where asked, and the dates the exports span."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    spec = SCALES[scale]
    total = customers if customers is not None else spec.professionals + spec.companies
    device_count = devices if devices is not None else spec.devices
    claim_count = claims if claims is not None else spec.claims
    if total < 4:
        raise ValueError("customers must be at least 4 (two Professionisti and two Aziende)")
    if device_count < 3 * total:
        raise ValueError(f"devices must be at least three per customer ({3 * total})")
    if claim_count < 20:
        raise ValueError("claims must be at least 20")
    share = spec.companies / (spec.professionals + spec.companies)
    companies = min(total - 2, max(2, round(total * share)))
    today = today or datetime.now(ZoneInfo("Europe/Rome")).date()
    first_of_month = today.replace(day=1)
    snapshot = as_date(to_day_number(first_of_month) - 1)
    if today.day <= 7:  # the month-end inventory of a few days ago is not out yet
        snapshot = as_date(to_day_number(snapshot.replace(day=1)) - 1)
    return Plan(
        seed=seed,
        professionals=total - companies,
        companies=companies,
        devices=device_count,
        claims=claim_count,
        account_managers=min(spec.account_managers, max(2, total // 10)),
        demo_portfolio=min(spec.demo_portfolio, max(2, total // 3)),
        today=today,
        window_start=as_date(to_day_number(today) - CLAIM_HISTORY_DAYS),
        daily_start=as_date(to_day_number(today) - DAILY_FILES),
        snapshot=snapshot,
    )


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.lower())


def _distinct(values: Iterable[str]) -> list[str]:
    """Distinct values in first-seen order, only those a Windows-1252 file can hold."""
    result: dict[str, None] = {}
    for value in values:
        try:
            value.encode("cp1252")
        except UnicodeEncodeError:
            continue
        if slug(value):
            result.setdefault(value, None)
    return list(result)


@dataclass(frozen=True)
class Pools:
    """Faker-made names to sample from: the big tables draw indices into these."""

    first_names: pd.Series
    first_slugs: pd.Series
    last_names: pd.Series
    last_slugs: pd.Series
    streets: pd.Series
    companies: list[str]


def make_pools(fake: Faker, companies: int) -> Pools:
    first = _distinct(fake.first_name() for _ in range(2000))
    last = _distinct(fake.last_name() for _ in range(2500))
    # apartment numbers make a company seat look like a flat
    streets = _distinct(
        re.sub(r"\s+Appartamento.*$|\s+Piano.*$", "", fake.street_address()) for _ in range(1000)
    )
    names = _distinct(fake.company() for _ in range(3 * companies + 100))
    return Pools(
        first_names=pd.Series(first, dtype="str"),
        first_slugs=pd.Series([slug(name) for name in first], dtype="str"),
        last_names=pd.Series(last, dtype="str"),
        last_slugs=pd.Series([slug(name) for name in last], dtype="str"),
        streets=pd.Series(streets, dtype="str"),
        companies=names,
    )


def take(series: pd.Series, index: np.ndarray) -> pd.Series:
    return series.take(index).reset_index(drop=True)


def apportion(total: int, weights: np.ndarray, minimum: int, maximum: int) -> np.ndarray:
    """Integers proportional to weights, each within [minimum, maximum], summing to total."""
    count = len(weights)
    minimum = min(minimum, total // count)
    maximum = max(maximum, -(-total // count))
    share = np.full(count, float(minimum))
    free = np.ones(count, dtype=bool)
    remaining = float(total - minimum * count)
    for _ in range(60):
        if remaining < 1e-6 or not free.any():
            break
        wanted = remaining * weights * free / (weights * free).sum()
        added = np.minimum(wanted, maximum - share)
        share += added
        remaining -= added.sum()
        free &= share < maximum - 1e-9
    counts = np.floor(share).astype(np.int64)
    short = total - int(counts.sum())
    counts[np.argsort(counts - share, kind="stable")[:short]] += 1
    return counts

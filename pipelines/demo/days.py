"""Day numbers and the business-day calendar the demo claims are scheduled on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays
import numpy as np
from dateutil.easter import easter

from pipelines.demo.reference import NAT, NEVER, SECONDS_PER_DAY


def to_day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def as_date(day_number: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(day_number))


@dataclass(frozen=True)
class Calendar:
    """Italian business days (national holidays from the `holidays` package), on day numbers."""

    holiday_days: np.ndarray
    busdays: np.busdaycalendar
    easter_days: np.ndarray

    @classmethod
    def for_years(cls, first: int, last: int) -> Calendar:
        years = range(first, last + 1)
        italy = holidays.Italy(years=years)
        days = np.array(sorted(italy), dtype="datetime64[D]")
        easters = np.array([to_day_number(easter(year)) for year in years], dtype=np.int64)
        return cls(days, np.busdaycalendar(holidays=days), easters)

    def is_business_day(self, days: np.ndarray) -> np.ndarray:
        return np.is_busday(days.astype("datetime64[D]"), busdaycal=self.busdays)

    def offset(self, days: np.ndarray, business_days: np.ndarray | int) -> np.ndarray:
        """The n-th business day after each day (n = 0: the day itself or the next one)."""
        moved = np.busday_offset(
            days.astype("datetime64[D]"), business_days, roll="forward", busdaycal=self.busdays
        )
        return moved.astype(np.int64)

    def season_pressure(self, days: np.ndarray) -> np.ndarray:
        """Chance of extra logistics delay: Christmas, August and Easter slow replacements down."""
        as_dates = days.astype("datetime64[D]")
        months = as_dates.astype("datetime64[M]")
        month = months.astype(np.int64) % 12 + 1
        day_of_month = (as_dates - months.astype("datetime64[D]")).astype(np.int64) + 1
        christmas = ((month == 12) & (day_of_month >= 18)) | ((month == 1) & (day_of_month <= 6))
        august = (month == 8) & (day_of_month <= 25)
        to_easter = days[:, None] - self.easter_days[None, :]
        near_easter = ((to_easter >= -6) & (to_easter <= 2)).any(axis=1)
        return np.where(christmas | august, 0.45, np.where(near_easter, 0.30, 0.0))


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Same calendar day `years` later (29 February becomes 28 February)."""
    as_dates = days.astype("datetime64[D]")
    months = as_dates.astype("datetime64[M]")
    day_of_month = (as_dates - months.astype("datetime64[D]")).astype(np.int64)
    target = months + 12 * years
    month_length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(
        day_of_month, month_length - 1
    )


def at_hours(rng: np.random.Generator, days: np.ndarray, first: float, last: float) -> np.ndarray:
    """Seconds of a random time between two hours of each day."""
    hours = rng.uniform(first, last, len(days))
    return days * SECONDS_PER_DAY + (hours * 3600).astype(np.int64)


def timestamps(seconds: np.ndarray) -> np.ndarray:
    """datetime64[s] from seconds, NaT where the event never happened."""
    return np.where(seconds >= NEVER, NAT, seconds).view("datetime64[s]")


def day_stamps(days: np.ndarray) -> np.ndarray:
    return timestamps(np.where(days >= NEVER, NEVER, days * SECONDS_PER_DAY))

"""The business-day calendar the SLA is measured on, built from the `holidays` package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import version
from zoneinfo import ZoneInfo

import duckdb

from pipelines.config import config_path, settings
from pipelines.errors import CommandError
from pipelines.sqlfiles import derived_statement

# Dates outside these years are data errors (a mistyped year); the calendar does not
# stretch over centuries for them, and their claims simply get no SLA dates.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200

_UNSET = object()


class CalendarError(CommandError):
    """The warehouse's calendar cannot answer for the date asked; the message says why."""


@dataclass(frozen=True)
class CalendarSettings:
    """What the warehouse's calendar was built with (its core.calendar_settings row)."""

    province: str | None
    sla_business_days: int
    first_day: date
    last_day: date


def today() -> date:
    """Today in the configured time zone: the default as-of date."""
    return datetime.now(ZoneInfo(settings().sla.timezone)).date()


def now_local() -> datetime:
    """Now in the configured time zone, as a naive local time (the exports' and the store's)."""
    return datetime.now(ZoneInfo(settings().sla.timezone)).replace(tzinfo=None)


def holiday_calendar(years: range, province: str | None) -> dict[date, str]:
    """Italian national holidays (plus one province's patron saint), by day, Italian names."""
    # imported here: the package loads every country's calendars, and a daily load that
    # keeps the calendar never needs them (docs/performance.md)
    import holidays

    italy = holidays.Italy(years=years, subdiv=province, language="it_IT")
    return dict(sorted(italy.items()))


def data_years(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """First and last year any SLA-relevant date of the claims touches, or None without claims."""
    row = con.execute(derived_statement("calendar_data_years")).fetchone()
    if row is None or row[0] is None:
        return None
    return row[0].year, row[1].year


def calendar_years(con: duckdb.DuckDBPyConnection) -> range:
    """The data's years and the current one, plus the year after the last of them."""
    current = today().year
    first, last = data_years(con) or (current, current)
    first = max(min(first, current), EARLIEST_YEAR)
    last = min(max(last, current) + 1, LATEST_YEAR)
    return range(first, last + 1)


def refresh_calendar(
    con: duckdb.DuckDBPyConnection,
    years: range | None = None,
    province: str | None | object = _UNSET,
    sla_business_days: int | None = None,
    force: bool = True,
) -> None:
    """Rebuild core.calendar and core.calendar_settings.

    By default the years come from the data (`calendar_years`) and the province and SLA
    length from the configuration; tests pass them to build a calendar of their own.
    Unless `force`d, a calendar built with the same years, province, SLA length and
    holidays package is left as it is: it would come out the same.
    """
    sla = settings().sla
    years = years if years is not None else calendar_years(con)
    province = sla.calendar_province if province is _UNSET else province
    sla_business_days = sla_business_days or sla.business_days
    first_day, last_day = date(years.start, 1, 1), date(years.stop - 1, 12, 31)
    wanted = (province, sla_business_days, first_day, last_day, version("holidays"))
    if not force and con.execute(
        """select province, sla_business_days, first_day, last_day, holidays_version
           from core.calendar_settings"""
    ).fetchall() == [wanted]:
        return
    holiday_names = holiday_calendar(years, province)
    con.execute("begin transaction")
    try:
        con.execute("delete from core.calendar")
        con.execute(
            derived_statement("calendar_build"),
            {
                "first_day": first_day,
                "last_day": last_day,
                "days": list(holiday_names),
                "names": list(holiday_names.values()),
            },
        )
        con.execute("delete from core.calendar_settings")
        con.execute(
            "insert into core.calendar_settings values ($1, $2, $3, $4, $5, $6)",
            [province, sla_business_days, first_day, last_day, version("holidays"),
             datetime.now()],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def calendar_signature(con: duckdb.DuckDBPyConnection) -> tuple[object, ...]:
    """What the stored SLA dates depend on in the calendar: its days, business days, length."""
    return con.execute(derived_statement("calendar_signature")).fetchone()


def calendar_settings(con: duckdb.DuckDBPyConnection) -> CalendarSettings | None:
    """The settings the warehouse's calendar was built with, or None before the first build."""
    row = con.execute(
        "select province, sla_business_days, first_day, last_day from core.calendar_settings"
    ).fetchone()
    return CalendarSettings(*row) if row else None


def calendar_outdated(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the calendar must be rebuilt although no data changed.

    True before the first build, after the configured province or SLA length changed,
    and when the calendar no longer reaches the end of next year.
    """
    built = calendar_settings(con)
    if built is None:
        return True
    sla = settings().sla
    return (
        built.province != sla.calendar_province
        or built.sla_business_days != sla.business_days
        or built.last_day < date(today().year + 1, 12, 31)
    )


def _described(province: str | None, business_days: int) -> str:
    where = f"province {province}" if province else "no province"
    return f"{where}, {business_days} business days"


def require_configured(built: CalendarSettings) -> None:
    """Refuse a calendar built with another province or SLA length than kasko.toml's.

    The stored due dates were counted on the warehouse's calendar, which only a load
    rebuilds: figures given after the settings changed would silently follow the old ones.
    """
    sla = settings().sla
    if (built.province, built.sla_business_days) != (sla.calendar_province, sla.business_days):
        raise CalendarError(
            "the warehouse's SLA figures were computed with "
            f"{_described(built.province, built.sla_business_days)}, but {config_path()} "
            f"now says {_described(sla.calendar_province, sla.business_days)}: run "
            "`kasko load` (on the exports folder; files already loaded are not read again) "
            "to recompute them"
        )


def require_covered(con: duckdb.DuckDBPyConnection, as_of: date) -> CalendarSettings:
    """The calendar's settings, after checking it exists, was built with the configured
    province and SLA length, and starts on or before `as_of`.

    An as-of date after the calendar's end is fine (every open claim is then late); one
    before its start would leave the business days remaining unknown.
    """
    built = calendar_settings(con)
    if built is None:
        raise CalendarError("the warehouse has no business-day calendar yet: run `kasko load`")
    require_configured(built)
    if as_of < built.first_day:
        raise CalendarError(
            f"as-of date {as_of.isoformat()} is before the business-day calendar, which "
            f"starts on {built.first_day.isoformat()}"
        )
    return built

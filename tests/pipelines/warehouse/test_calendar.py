"""The business-day calendar: holidays from the package, coverage, running index, settings."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import holidays
import pytest

from pipelines import config
from pipelines.ingest.load import load_paths
from pipelines.warehouse import calendar, connect_read_only, ensure_schema
from pipelines.warehouse.calendar import (
    calendar_outdated,
    calendar_settings,
    refresh_calendar,
    require_covered,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sla"


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    yield connection
    connection.close()


@pytest.fixture
def configured(tmp_path, monkeypatch):
    """Point the settings at a TOML file of the test's own."""

    def write(text: str) -> None:
        path = tmp_path / "kasko.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(config.CONFIG_ENV, str(path))
        config.settings.cache_clear()

    yield write
    config.settings.cache_clear()


def days(con: duckdb.DuckDBPyConnection, first: str, last: str) -> dict[date, tuple]:
    rows = con.execute(
        """select day, is_business_day, holiday_name, business_day_index, next_business_day_index
           from core.calendar where day between $first and $last order by day""",
        {"first": date.fromisoformat(first), "last": date.fromisoformat(last)},
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def add_claim(con: duckdb.DuckDBPyConnection, opened: str, **dates: str) -> None:
    con.execute(
        """insert into core.claims (request_number, updated_at, customer_code, imei, request_type,
               opened_at, documentation_received_at, replacement_available_at, status, load_id,
               line, file_date, row_hash)
           values (gen_random_uuid()::varchar, $updated, 'C1', '352099001761481',
                   'Guasto/Malfunzionamento', $opened, $documents, $available, 'Aperta', 1, 2,
                   date '2025-01-01', 0)""",
        {
            "opened": datetime.fromisoformat(opened),
            "updated": datetime.fromisoformat(dates.get("updated", opened)),
            "documents": datetime.fromisoformat(dates["documents"]) if "documents" in dates
            else None,
            "available": datetime.fromisoformat(dates["available"]) if "available" in dates
            else None,
        },
    )


def test_holidays_come_from_the_package(con) -> None:
    refresh_calendar(con, years=range(2024, 2028), province=None)
    rows = con.execute(
        "select day, holiday_name from core.calendar where holiday_name is not null order by day"
    ).fetchall()
    expected = holidays.Italy(years=range(2024, 2028), language="it_IT")
    assert dict(rows) == dict(expected)
    assert not con.execute(
        "select count(*) from core.calendar where holiday_name is not null and is_business_day"
    ).fetchone()[0]


def test_italian_national_holidays_and_weekends(con) -> None:
    refresh_calendar(con, years=range(2025, 2027), province=None)
    april = days(con, "2025-04-18", "2025-04-28")
    assert april[date(2025, 4, 18)][0] is True  # Good Friday is a working day in Italy
    assert april[date(2025, 4, 21)][:2] == (False, "Lunedì dell'Angelo")
    assert april[date(2025, 4, 25)][:2] == (False, "Anniversario della Liberazione")
    assert april[date(2025, 4, 26)][:2] == (False, None)  # Saturday
    # 4 October is a national holiday from 2026 on: a Friday in 2024, a Sunday in 2026
    assert days(con, "2025-10-03", "2025-10-03")[date(2025, 10, 3)][0] is True
    october = days(con, "2026-10-04", "2026-10-04")[date(2026, 10, 4)]
    assert october[0] is False and "Francesco" in october[1]
    assert days(con, "2026-06-29", "2026-06-29")[date(2026, 6, 29)][0] is True  # national only


def test_running_index_and_next_business_day(con) -> None:
    refresh_calendar(con, years=range(2025, 2026), province=None)
    week = days(con, "2025-04-17", "2025-04-28")
    # Thu 17 and Fri 18 are business days; the Easter weekend and Monday are not
    index_17 = week[date(2025, 4, 17)][2]
    assert week[date(2025, 4, 17)][2:] == (index_17, index_17)
    assert week[date(2025, 4, 18)][2:] == (index_17 + 1, index_17 + 1)
    for holiday in (date(2025, 4, 19), date(2025, 4, 20), date(2025, 4, 21)):
        assert week[holiday][2:] == (index_17 + 1, index_17 + 2)
    assert week[date(2025, 4, 22)][2:] == (index_17 + 2, index_17 + 2)
    assert week[date(2025, 4, 28)][2:] == (index_17 + 5, index_17 + 5)
    # the index grows by one exactly on business days, from 1 on the first one
    broken = con.execute(
        """select count(*) from (
               select is_business_day, business_day_index
                      - coalesce(lag(business_day_index) over (order by day), 0) as step
               from core.calendar)
           where step <> case when is_business_day then 1 else 0 end"""
    ).fetchone()[0]
    assert broken == 0
    assert con.execute("select min(day), max(day), count(*) from core.calendar").fetchone() == (
        date(2025, 1, 1), date(2025, 12, 31), 365)


def test_province_adds_its_patron_saint(con) -> None:
    refresh_calendar(con, years=range(2026, 2027), province="RM")
    assert days(con, "2026-06-29", "2026-06-29")[date(2026, 6, 29)][:2] == (
        False, "Santi Pietro e Paolo")
    built = calendar_settings(con)
    assert (built.province, built.first_day, built.last_day) == (
        "RM", date(2026, 1, 1), date(2026, 12, 31))
    refresh_calendar(con, years=range(2026, 2027), province="MI")  # Sant'Ambrogio, 7 December
    assert days(con, "2026-06-29", "2026-06-29")[date(2026, 6, 29)][0] is True
    assert days(con, "2026-12-07", "2026-12-07")[date(2026, 12, 7)][0] is False
    assert calendar_settings(con).province == "MI"


def test_covers_the_data_years_and_the_next(con, monkeypatch) -> None:
    monkeypatch.setattr(calendar, "today", lambda: date(2025, 6, 1))
    add_claim(con, "2022-12-30 10:00", documents="2023-01-02 09:00")
    add_claim(con, "2025-03-01 10:00", available="2026-02-01 10:00", updated="2026-02-02 10:00")
    refresh_calendar(con)
    assert con.execute("select min(day), max(day) from core.calendar").fetchone() == (
        date(2022, 1, 1), date(2027, 12, 31))
    assert con.execute("select count(*) from core.calendar_settings").fetchone() == (1,)


def test_empty_warehouse_covers_this_year_and_the_next(con, monkeypatch) -> None:
    monkeypatch.setattr(calendar, "today", lambda: date(2025, 6, 1))
    refresh_calendar(con)
    assert con.execute("select min(day), max(day) from core.calendar").fetchone() == (
        date(2025, 1, 1), date(2026, 12, 31))
    built = calendar_settings(con)
    assert (built.province, built.sla_business_days) == (None, 5)


def test_a_mistyped_year_does_not_stretch_the_calendar(con, monkeypatch) -> None:
    monkeypatch.setattr(calendar, "today", lambda: date(2025, 6, 1))
    add_claim(con, "0025-03-01 10:00")
    refresh_calendar(con)
    assert con.execute("select min(day) from core.calendar").fetchone() == (date(1900, 1, 1),)


def test_outdated_when_settings_change(con, configured, monkeypatch) -> None:
    monkeypatch.setattr(calendar, "today", lambda: date(2025, 6, 1))
    configured("[sla]\n")
    assert calendar_outdated(con)  # never built
    refresh_calendar(con)
    assert not calendar_outdated(con)
    configured('[sla]\ncalendar_province = "RM"\n')
    assert calendar_outdated(con)
    refresh_calendar(con)
    assert not calendar_outdated(con)
    configured('[sla]\ncalendar_province = "RM"\nbusiness_days = 7\n')
    assert calendar_outdated(con)
    refresh_calendar(con)
    assert calendar_settings(con).sla_business_days == 7
    monkeypatch.setattr(calendar, "today", lambda: date(2026, 1, 2))
    assert calendar_outdated(con)  # no longer reaches the end of next year


def test_require_covered(con) -> None:
    with pytest.raises(calendar.CalendarError, match="run `kasko load`"):
        require_covered(con, date(2025, 1, 1))
    refresh_calendar(con, years=range(2025, 2027), province=None)
    assert require_covered(con, date(2025, 1, 1)).first_day == date(2025, 1, 1)
    assert require_covered(con, date(2030, 1, 1)).last_day == date(2026, 12, 31)
    with pytest.raises(calendar.CalendarError, match="before the business-day calendar"):
        require_covered(con, date(2024, 12, 31))


def test_a_load_builds_the_calendar_and_a_settings_change_rebuilds_it(
    tmp_path, configured
) -> None:
    db = tmp_path / "kasko.duckdb"
    configured("[sla]\n")
    load_paths([FIXTURES], db)
    with connect_read_only(db) as con:
        built = calendar_settings(con)
        assert built.province is None and built.first_day <= date(2025, 1, 1)
        assert con.execute("select count(*) from core.calendar").fetchone()[0] >= 365 * 2
    stamp = db.stat().st_mtime_ns
    load_paths([FIXTURES], db)  # nothing new, same settings: the file is left alone
    assert db.stat().st_mtime_ns == stamp
    configured('[sla]\ncalendar_province = "rm"\n')
    load_paths([FIXTURES], db)  # nothing new, but the calendar's settings changed
    with connect_read_only(db) as con:
        assert calendar_settings(con).province == "RM"
        assert con.execute(
            "select is_business_day from core.calendar where day = date '2025-06-30'"
        ).fetchone() == (True,)
        assert con.execute(
            "select is_business_day from core.calendar where day = date '2026-06-29'"
        ).fetchone() == (False,)


def test_a_load_that_keeps_the_calendar_does_not_import_the_holidays_package() -> None:
    """The package loads every country's calendars (0.15 s of a daily load's 1.3 s); it is
    imported when a calendar is built, not by the modules a load goes through."""
    probe = (
        "import sys, pipelines.cli, pipelines.ingest.load, pipelines.warehouse;"
        "print('holidays' in sys.modules)"
    )
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              check=True, cwd=Path(__file__).resolve().parents[3])
    assert imported.stdout.strip() == "False"
    assert calendar.holiday_calendar(range(2026, 2027), None)[date(2026, 12, 8)] == (
        "Immacolata Concezione"
    )

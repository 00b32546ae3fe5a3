"""The SLA marts: docs/sla.md's worked examples, state boundaries, numpy agreement, aggregates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import holidays
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.warehouse import ensure_schema
from pipelines.warehouse.calendar import refresh_calendar
from pipelines.warehouse.tickets import refresh_tickets

FIRST_YEAR, LAST_YEAR = 2015, 2035
# The calendar covers every year a date of the data touches (docs/sla.md): the property test's
# days, a replacement available up to ten days before a claim of January 2015 (the year
# before), and due dates in the January after the last year (the year after).
CALENDAR_YEARS = range(FIRST_YEAR - 1, LAST_YEAR + 2)
# numpy's view of the same national holidays the calendar is built from
HOLIDAYS = np.array(sorted(holidays.Italy(years=CALENDAR_YEARS)), dtype="datetime64[D]")
IMEI = "352099001761481"


def new_warehouse() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    refresh_calendar(connection, years=CALENDAR_YEARS, province=None, sla_business_days=5)
    return connection


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = new_warehouse()
    yield connection
    connection.close()


def claim(number: str, **values: object) -> dict[str, object]:
    """A claim row for core.claims: a fault claim, open, with the given values on top."""
    row: dict[str, object] = {
        "request_number": number,
        "updated_at": datetime(2025, 1, 1),
        "customer_code": "C1",
        "imei": IMEI,
        "request_type": "Guasto/Malfunzionamento",
        "channel": "Area Clienti",
        "delivery_mode": "Punto assistenza",
        "assistance_point_code": "PA1",
        "opened_at": None,
        "documentation_received_at": None,
        "replacement_available_at": None,
        "status": "In lavorazione",
        "load_id": 1,
        "line": 2,
        "file_date": date(2025, 1, 1),
        "row_hash": 0,
    }
    row.update(values)
    if row["opened_at"] is None:
        row["opened_at"] = row["documentation_received_at"] or datetime(2025, 1, 1)
    return row


def put_claims(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    """Replace core.claims with the given rows and store their SLA dates, as a load does."""
    frame = pd.DataFrame(rows)
    for column in ("opened_at", "documentation_received_at", "replacement_available_at",
                   "updated_at"):
        frame[column] = pd.to_datetime(frame[column])
    con.execute("delete from core.claims")
    con.register("new_claims", frame)
    con.execute("insert into core.claims by name select * from new_claims")
    con.unregister("new_claims")
    refresh_tickets(con)


def tickets(con: duckdb.DuckDBPyConnection, as_of: date, **named: object) -> dict[str, dict]:
    """marts.ticket_sla as {request_number: row}."""
    sql = {
        (): "select * from marts.ticket_sla($as_of)",
        ("customers",): "select * from marts.ticket_sla($as_of, customers := $customers)",
    }[tuple(named)]
    cursor = con.execute(sql, {"as_of": as_of, **named})
    names = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day} {clock}")


# ---------------------------------------------------------------- docs/sla.md's worked examples

WORKED_EXAMPLES = [
    ("2025-03-03", "2025-03-10"),  # Mon -> Mon
    ("2025-03-08", "2025-03-17"),  # Sat -> S' Mon 10th -> Mon
    ("2025-04-17", "2025-04-28"),  # Easter Monday 21st and 25 April skipped
    ("2025-12-24", "2026-01-05"),  # 25, 26 December, 1 January, weekends
    ("2026-04-02", "2026-04-10"),  # Easter Monday 6 April 2026
    ("2026-05-28", "2026-06-05"),  # 2 June
]


@pytest.mark.parametrize(("clock_start", "due"), WORKED_EXAMPLES)
def test_worked_examples_of_sla_md(con, clock_start: str, due: str) -> None:
    put_claims(con, [claim("R", documentation_received_at=at(clock_start))])
    row = tickets(con, date(2025, 1, 1))["R"]
    assert row["clock_start_date"] == date.fromisoformat(clock_start)
    assert row["due_date"] == date.fromisoformat(due)


def test_effective_start_is_the_next_business_day(con) -> None:
    put_claims(con, [
        claim("weekday", documentation_received_at=at("2025-03-05")),
        claim("saturday", documentation_received_at=at("2025-03-08")),
        claim("easter", documentation_received_at=at("2025-04-20")),
    ])
    rows = tickets(con, date(2025, 1, 1))
    assert rows["weekday"]["effective_start_date"] == date(2025, 3, 5)
    assert rows["saturday"]["effective_start_date"] == date(2025, 3, 10)
    assert rows["easter"]["effective_start_date"] == date(2025, 4, 22)


# ---------------------------------------------------------------- agreement with numpy


def numpy_due(start: date, length: int = 5) -> date:
    return np.busday_offset(
        np.datetime64(start, "D"), length, roll="forward", holidays=HOLIDAYS
    ).astype(date)


def numpy_count(begin: date, end: date) -> int:
    return int(np.busday_count(np.datetime64(begin, "D"), np.datetime64(end, "D"),
                               holidays=HOLIDAYS))


days = st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 12, 31))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=st.lists(
        st.tuples(days, st.one_of(st.none(), st.integers(-10, 45), days)), min_size=1, max_size=25
    ),
    as_of=days,
)
def test_due_dates_and_business_days_agree_with_numpy(con, pairs, as_of) -> None:
    rows = []
    for number, (start, available) in enumerate(pairs):
        if isinstance(available, int):
            available = start + timedelta(days=available)
        rows.append(claim(
            f"R{number}",
            opened_at=at(start.isoformat(), "08:00"),
            documentation_received_at=at(start.isoformat(), "19:45"),
            replacement_available_at=at(available.isoformat(), "23:10") if available else None,
        ))
    put_claims(con, rows)
    result = tickets(con, as_of)
    for number, (start, available) in enumerate(pairs):
        if isinstance(available, int):
            available = start + timedelta(days=available)
        row = result[f"R{number}"]
        effective_start = np.busday_offset(np.datetime64(start, "D"), 0, roll="forward",
                                           holidays=HOLIDAYS).astype(date)
        due = numpy_due(start)
        assert row["effective_start_date"] == effective_start
        assert row["due_date"] == due
        if available is None:
            assert row["business_days_taken"] is None
            if as_of > due:
                assert row["sla_state"] == "breached"
            else:
                remaining = numpy_count(as_of, due + timedelta(days=1))
                assert row["business_days_remaining"] == remaining
                next_after = np.busday_offset(np.datetime64(as_of, "D"), 1, roll="backward",
                                              holidays=HOLIDAYS).astype(date)
                expected = "at_risk" if due <= next_after else "on_track"
                assert row["sla_state"] == expected
        else:
            assert row["business_days_taken"] == numpy_count(effective_start, available)
            assert row["sla_state"] == ("met" if available <= due else "breached")
            assert row["business_days_remaining"] is None


# ---------------------------------------------------------------- states at their boundaries

MONDAY = "2025-03-03"  # S; D is Monday 2025-03-10


@pytest.mark.parametrize(
    ("as_of", "state", "remaining"),
    [
        (date(2025, 3, 6), "on_track", 3),  # two business days before D
        (date(2025, 3, 7), "at_risk", 2),  # one business day before D (Friday)
        (date(2025, 3, 8), "at_risk", 1),  # Saturday: D is the next business day
        (date(2025, 3, 9), "at_risk", 1),  # Sunday
        (date(2025, 3, 10), "at_risk", 1),  # T = D
        (date(2025, 3, 11), "breached", None),  # D + 1 business day, no A
        (date(2025, 3, 3), "on_track", 6),  # the day the clock starts
    ],
)
def test_open_claim_states_around_the_due_date(con, as_of: date, state: str, remaining) -> None:
    put_claims(con, [claim("R", documentation_received_at=at(MONDAY))])
    row = tickets(con, as_of)["R"]
    assert row["due_date"] == date(2025, 3, 10)
    assert (row["sla_state"], row["business_days_remaining"]) == (state, remaining)


@pytest.mark.parametrize(
    ("available", "state", "taken", "late"),
    [
        (at("2025-03-07", "18:00"), "met", 4, None),
        (at("2025-03-10", "23:59"), "met", 5, None),  # A = D
        (at("2025-03-11", "00:01"), "breached", 6, 1),  # A = D + 1 business day
        (at("2025-03-15"), "breached", 10, 5),  # a Saturday: counted up to the next Monday
        (at("2025-03-03", "11:00"), "met", 0, None),  # same day
    ],
)
def test_available_date_decides_met_or_breached(con, available, state, taken, late) -> None:
    put_claims(con, [claim("R", documentation_received_at=at(MONDAY),
                           replacement_available_at=available, status="Consegnata")])
    # the as-of date does not matter once A exists
    for as_of in (date(2025, 3, 4), date(2025, 3, 31)):
        row = tickets(con, as_of)["R"]
        assert row["available_date"] == available.date()
        assert (row["sla_state"], row["business_days_taken"]) == (state, taken)
        assert row["business_days_late"] == late
        assert row["business_days_remaining"] is None


def test_breached_while_open_counts_the_business_days_late(con) -> None:
    put_claims(con, [claim("R", documentation_received_at=at(MONDAY))])
    assert tickets(con, date(2025, 3, 11))["R"]["business_days_late"] == 1
    assert tickets(con, date(2025, 3, 17))["R"]["business_days_late"] == 5


def test_documentation_on_easter_sunday_starts_after_easter_monday(con) -> None:
    put_claims(con, [claim("R", documentation_received_at=at("2025-04-20", "16:00"))])
    row = tickets(con, date(2025, 4, 29))["R"]
    assert row["effective_start_date"] == date(2025, 4, 22)
    # 23, 24, (25 April), 28, 29, 30
    assert row["due_date"] == date(2025, 4, 30)
    assert (row["sla_state"], row["business_days_remaining"]) == ("at_risk", 2)


def test_documentation_on_christmas_eve(con) -> None:
    put_claims(con, [claim("R", documentation_received_at=at("2025-12-24", "17:30"))])
    row = tickets(con, date(2026, 1, 2))["R"]
    assert row["effective_start_date"] == date(2025, 12, 24)
    assert row["due_date"] == date(2026, 1, 5)
    # 2 January (Friday) and 5 January (Monday) remain
    assert (row["sla_state"], row["business_days_remaining"]) == ("at_risk", 2)


def test_documentation_after_six_pm_keeps_its_date(con) -> None:
    put_claims(con, [
        claim("late", documentation_received_at=at("2025-03-05", "18:30")),
        claim("midnight", documentation_received_at=at("2025-03-05", "23:59")),
    ])
    rows = tickets(con, date(2025, 3, 5))
    for number in ("late", "midnight"):
        assert rows[number]["clock_start_date"] == date(2025, 3, 5)
        assert rows[number]["due_date"] == date(2025, 3, 12)


@pytest.mark.parametrize("status", ["Non accolta", "KO tecnico", "Annullata"])
def test_excluded_statuses_win_over_every_other_state(con, status: str) -> None:
    put_claims(con, [
        claim("late", status=status, documentation_received_at=at(MONDAY),
              replacement_available_at=at("2025-03-20")),
        claim("open", status=status, documentation_received_at=at(MONDAY)),
        claim("no_documents", status=status),
    ])
    rows = tickets(con, date(2025, 3, 31))
    assert {row["sla_state"] for row in rows.values()} == {"excluded"}
    assert rows["late"]["business_days_taken"] == 13  # figures stay, the state excludes
    assert all(row["business_days_remaining"] is None for row in rows.values())
    assert not any(row["is_monitored"] for row in rows.values())


def test_pending_documentation_has_no_due_date(con) -> None:
    put_claims(con, [
        claim("waiting", opened_at=at("2025-03-03"), status="In attesa documentazione"),
        # a replacement without documentation still has no clock (docs/sla.md's order)
        claim("odd", opened_at=at("2025-03-03"), replacement_available_at=at("2025-03-04")),
    ])
    rows = tickets(con, date(2025, 3, 31))
    for row in rows.values():
        assert row["sla_state"] == "pending_documentation"
        assert row["due_date"] is None and row["clock_start_date"] is None
        assert row["documentation_wait_days"] is None
        assert row["business_days_remaining"] is None
    assert rows["waiting"]["documentation_pending_days"] == 20  # 3 to 28 March
    assert rows["odd"]["business_days_taken"] is None


def test_documentation_wait_and_codes(con) -> None:
    put_claims(con, [
        claim("R", opened_at=at("2025-02-27"), documentation_received_at=at("2025-03-04"),
              request_type="Furto/Smarrimento", status="Aperta"),
        claim("S", opened_at=at("2025-03-03"), documentation_received_at=at("2025-03-03"),
              status="Chiusa", replacement_available_at=at("2025-03-05")),
    ])
    rows = tickets(con, date(2025, 3, 4))
    assert rows["R"]["documentation_wait_days"] == 3  # Thu, Fri, Mon
    assert rows["R"]["request_type_code"] == "theft_loss"
    assert rows["R"]["is_monitored"] is True
    assert rows["S"]["documentation_wait_days"] == 0
    assert rows["S"]["request_type_code"] == "fault"
    assert rows["S"]["is_monitored"] is False


def test_monitoring_view_flags(con) -> None:
    statuses = ["Aperta", "In attesa documentazione", "In lavorazione", "In consegna",
                "Disponibile al ritiro", "Consegnata", "Chiusa", "Non accolta", "KO tecnico",
                "Annullata"]
    put_claims(con, [claim(status, status=status) for status in statuses])
    rows = tickets(con, date(2025, 3, 4))
    monitored = {number for number, row in rows.items() if row["is_monitored"]}
    # sla.md "Ticket views": a delivered claim is no longer open for the customer
    assert monitored == {"Aperta", "In attesa documentazione", "In lavorazione", "In consegna",
                         "Disponibile al ritiro"}


def test_customer_scope(con) -> None:
    put_claims(con, [
        claim("A1", customer_code="A", documentation_received_at=at(MONDAY)),
        claim("B1", customer_code="B", documentation_received_at=at(MONDAY)),
    ])
    assert set(tickets(con, date(2025, 3, 4), customers=["B"])) == {"B1"}
    assert set(tickets(con, date(2025, 3, 4), customers=[])) == set()
    assert set(tickets(con, date(2025, 3, 4), customers=None)) == {"A1", "B1"}


def test_the_configured_sla_length_moves_due_dates() -> None:
    own = new_warehouse()
    put_claims(own, [claim("A1", documentation_received_at=at(MONDAY))])
    assert tickets(own, date(2025, 3, 4))["A1"]["due_date"] == date(2025, 3, 10)
    refresh_calendar(own, years=range(2024, 2027), province=None, sla_business_days=3)
    refresh_tickets(own)
    row = tickets(own, date(2025, 3, 4))["A1"]
    assert (row["due_date"], row["sla_business_days"]) == (date(2025, 3, 6), 3)
    own.close()


def test_ticket_sla_joins_reference_data(con) -> None:
    con.execute("delete from core.devices")
    con.execute("delete from core.customers")
    con.execute("delete from core.assistance_points")
    con.execute(
        """insert into core.devices by name select 'C1' as customer_code, $imei as imei,
           'Apple' as brand, 'iPhone 15' as model, 1 as load_id, 2 as line,
           date '2025-01-01' as file_date""", {"imei": IMEI})
    con.execute(
        """insert into core.customers by name select 'C1' as customer_code,
           'Rossi S.r.l.' as company_name, '01234567897' as vat_number, 'Aziende' as segment,
           'Lombardia' as region, 'am@x.example' as account_manager, 1 as load_id,
           2 as line, date '2025-01-01' as file_date""")
    con.execute(
        """insert into core.assistance_points by name select 'PA1' as point_code,
           'Punto Duomo' as name, 'MI' as province, 'Lombardia' as region, 1 as load_id,
           2 as line, date '2025-01-01' as file_date""")
    put_claims(con, [claim("R", documentation_received_at=at(MONDAY))])
    row = tickets(con, date(2025, 3, 4))["R"]
    assert (row["device_brand"], row["device_model"]) == ("Apple", "iPhone 15")
    assert (row["company_name"], row["customer_segment"], row["customer_region"],
            row["account_manager"]) == ("Rossi S.r.l.", "Aziende", "Lombardia", "am@x.example")
    assert (row["assistance_point_name"], row["assistance_point_province"],
            row["assistance_point_region"]) == ("Punto Duomo", "MI", "Lombardia")
    con.execute("delete from core.devices")
    con.execute("delete from core.customers")
    con.execute("delete from core.assistance_points")


def test_one_row_per_claim_with_every_core_column(con) -> None:
    put_claims(con, [claim(f"R{i}", documentation_received_at=at(MONDAY)) for i in range(5)])
    core_columns = [row[0] for row in con.execute("describe core.claims").fetchall()]
    cursor = con.execute("select * from marts.ticket_sla(date '2025-03-04')")
    names = [column[0] for column in cursor.description]
    assert names[: len(core_columns)] == core_columns
    for required in ("opened_date", "clock_start_date", "effective_start_date", "due_date",
                     "available_date", "business_days_taken", "business_days_remaining",
                     "sla_state", "documentation_wait_days", "request_type_code",
                     "is_monitored"):
        assert required in names
    assert len(cursor.fetchall()) == 5


# ---------------------------------------------------------------- aggregates


def synthetic_claims(count: int, seed: int) -> pd.DataFrame:
    """Random claims in the first half of 2025: late documents, missing ones, exclusions."""
    rng = np.random.default_rng(seed)
    opened = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 180, count), "D")
    opened += pd.to_timedelta(rng.integers(0, 24 * 60, count), "min")
    documents = opened + pd.to_timedelta(rng.integers(0, 8 * 24 * 60, count), "min")
    documents = documents.where(rng.random(count) > 0.1)
    available = documents + pd.to_timedelta(rng.integers(0, 14 * 24 * 60, count), "min")
    available = available.where(rng.random(count) > 0.3)
    # a few open claims due on the as-of date or the day after, so every state occurs
    due_soon = np.arange(count) < 6
    documents = documents.where(~due_soon, pd.Timestamp("2025-05-08 12:00"))
    available = available.where(~due_soon)
    statuses = np.array(["In lavorazione", "Consegnata", "Chiusa", "Non accolta", "KO tecnico",
                         "Annullata"])
    status = statuses[rng.choice(6, count, p=[0.4, 0.25, 0.25, 0.04, 0.03, 0.03])]
    status[due_soon] = "In lavorazione"
    return pd.DataFrame({
        "request_number": [f"K{n:05d}" for n in range(count)],
        "updated_at": opened,
        "customer_code": rng.choice(["C1", "C2", "C3", "C4", "C5"], count),
        "imei": IMEI,
        "request_type": rng.choice(["Guasto/Malfunzionamento", "Furto/Smarrimento"], count),
        "channel": rng.choice(["Area Clienti", "Email", "191", "800.191.101"], count),
        "delivery_mode": rng.choice(["Punto assistenza", "Sede azienda"], count),
        "opened_at": opened,
        "documentation_received_at": documents,
        "replacement_available_at": available,
        "status": status,
        "load_id": 1,
        "line": np.arange(count) + 2,
        "file_date": date(2025, 7, 1),
        "row_hash": 0,
    })


def expected_states(frame: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """docs/sla.md recomputed with numpy's business-day functions, independently of the SQL."""
    result = frame.copy()
    start = result["documentation_received_at"].dt.normalize()
    has_start = start.notna()
    due = pd.Series(pd.NaT, index=result.index, dtype="datetime64[ns]")
    due[has_start] = np.busday_offset(
        start[has_start].values.astype("datetime64[D]"), 5, roll="forward", holidays=HOLIDAYS
    ).astype("datetime64[ns]")
    available = result["replacement_available_at"].dt.normalize()
    taken = pd.Series(pd.NA, index=result.index, dtype="Int64")
    both = has_start & available.notna()
    effective = np.busday_offset(start[both].values.astype("datetime64[D]"), 0, roll="forward",
                                 holidays=HOLIDAYS)
    taken[both] = np.busday_count(effective, available[both].values.astype("datetime64[D]"),
                                  holidays=HOLIDAYS)
    t = pd.Timestamp(as_of)
    next_after = pd.Timestamp(np.busday_offset(np.datetime64(as_of, "D"), 1, roll="backward",
                                               holidays=HOLIDAYS))
    excluded = result["status"].isin(["Non accolta", "KO tecnico", "Annullata"])
    met = available.notna() & (available <= due)
    breached = (available.notna() & (available > due)) | (available.isna() & (t > due))
    pending = ~has_start
    at_risk = available.isna() & (t <= due) & (due <= next_after)
    result["due_date"] = due
    result["opened_date"] = result["opened_at"].dt.normalize()
    result["business_days_taken"] = taken
    result["sla_state"] = np.select(
        [excluded, met, breached, pending, at_risk],
        ["excluded", "met", "breached", "pending_documentation", "at_risk"],
        default="on_track",
    )
    return result


STATE_COLUMNS = ["met", "breached", "at_risk", "on_track", "pending_documentation", "excluded"]


def state_counts(frame: pd.DataFrame, by: pd.Series) -> pd.DataFrame:
    counts = pd.crosstab(by, frame["sla_state"]).reindex(columns=STATE_COLUMNS, fill_value=0)
    counts["claims"] = counts.sum(axis=1)
    counts["compliance"] = counts["met"] / (counts["met"] + counts["breached"]).replace(0, np.nan)
    return counts


AS_OF = date(2025, 5, 15)


@pytest.fixture(scope="module")
def synthetic_con() -> duckdb.DuckDBPyConnection:
    connection = new_warehouse()
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def synthetic(synthetic_con) -> pd.DataFrame:
    frame = synthetic_claims(400, seed=7)
    put_claims(synthetic_con, frame.to_dict("records"))
    return expected_states(frame, AS_OF)


def test_states_agree_with_a_pandas_recomputation(synthetic_con, synthetic) -> None:
    rows = tickets(synthetic_con, AS_OF)
    got = pd.Series({number: row["sla_state"] for number, row in rows.items()})
    expected = synthetic.set_index("request_number")["sla_state"]
    assert (got.sort_index() == expected.sort_index()).all()
    assert set(expected) == set(STATE_COLUMNS)  # the sample holds every state


@pytest.mark.parametrize(("grain", "period"), [("day", "D"), ("week", "W-SUN"), ("month", "M")])
def test_sla_by_period_agrees_with_pandas(synthetic_con, synthetic, grain: str,
                                          period: str) -> None:
    period_date = synthetic["due_date"].fillna(synthetic["opened_date"])
    expected = state_counts(synthetic, period_date.dt.to_period(period).dt.start_time)
    got = synthetic_con.execute(
        "select * from marts.sla_by_period($as_of, $grain)", {"as_of": AS_OF, "grain": grain}
    ).df().set_index("period_start")
    got.index = pd.to_datetime(got.index)
    assert list(got.index) == list(expected.index)
    for column in STATE_COLUMNS + ["claims"]:
        assert got[column].tolist() == expected[column].tolist(), column
    assert np.allclose(got["compliance"], expected["compliance"], equal_nan=True)
    assert got["claims"].sum() == len(synthetic)


def test_sla_by_period_labels_and_range(synthetic_con, synthetic) -> None:
    rows = synthetic_con.execute(
        """select period_start, period_end, period_label, claims
           from marts.sla_by_period($as_of, 'week', date_from := date '2025-03-01',
                                    date_to := date '2025-03-31')""",
        {"as_of": AS_OF},
    ).fetchall()
    assert len(rows) == 5  # weeks 10 to 14 (1 and 2 March, a weekend, hold no claim)
    for start, end, label, _ in rows:
        iso_year, week, weekday = start.isocalendar()
        assert weekday == 1 and end == start + timedelta(days=6)
        assert label == f"{iso_year}-W{week:02d}"
    period_date = synthetic["due_date"].fillna(synthetic["opened_date"])
    in_march = period_date.between(pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-31"))
    assert sum(row[3] for row in rows) == in_march.sum()
    month = synthetic_con.execute(
        "select period_label, period_end from marts.sla_by_period($as_of, 'month')",
        {"as_of": AS_OF}).fetchall()
    assert ("2025-02", date(2025, 2, 28)) in month
    with pytest.raises(duckdb.InvalidInputException, match="grain must be day, week or month"):
        synthetic_con.execute("select * from marts.sla_by_period($as_of, 'year')", {"as_of": AS_OF})


@pytest.mark.parametrize(("dimension", "column"),
                         [("channel", "channel"), ("customer", "customer_code"),
                          ("delivery_mode", "delivery_mode")])
def test_sla_breakdown_agrees_with_pandas(synthetic_con, synthetic, dimension: str,
                                          column: str) -> None:
    expected = state_counts(synthetic, synthetic[column])
    got = synthetic_con.execute(
        "select * from marts.sla_breakdown($as_of, $dimension)",
        {"as_of": AS_OF, "dimension": dimension},
    ).df().set_index("key").sort_index()
    assert list(got.index) == list(expected.index)
    for name in STATE_COLUMNS + ["claims"]:
        assert got[name].tolist() == expected[name].tolist(), name
    assert np.allclose(got["compliance"], expected["compliance"], equal_nan=True)
    assert set(got["dimension"]) == {dimension}


def test_sla_breakdown_request_type_codes_and_labels(synthetic_con, synthetic) -> None:
    rows = synthetic_con.execute(
        "select key, label, claims from marts.sla_breakdown($as_of, 'request_type')",
        {"as_of": AS_OF}).fetchall()
    expected = synthetic["request_type"].value_counts()
    assert {(key, label) for key, label, _ in rows} == {
        ("fault", "Guasto/Malfunzionamento"), ("theft_loss", "Furto/Smarrimento")}
    assert {label: claims for _, label, claims in rows} == expected.to_dict()
    with pytest.raises(duckdb.InvalidInputException, match="dimension must be one of"):
        synthetic_con.execute("select * from marts.sla_breakdown($as_of, 'colour')",
                              {"as_of": AS_OF})


def test_sla_summary_agrees_with_pandas(synthetic_con, synthetic) -> None:
    scope = ["C1", "C3"]
    period_date = synthetic["due_date"].fillna(synthetic["opened_date"])
    chosen = synthetic[
        synthetic["customer_code"].isin(scope)
        & period_date.between(pd.Timestamp("2025-02-01"), pd.Timestamp("2025-04-30"))
    ]
    row = synthetic_con.execute(
        """select * from marts.sla_summary($as_of, customers := $customers,
                                           date_from := $date_from, date_to := $date_to)""",
        {"as_of": AS_OF, "customers": scope, "date_from": date(2025, 2, 1),
         "date_to": date(2025, 4, 30)},
    ).df().iloc[0]
    counts = chosen["sla_state"].value_counts()
    for state in STATE_COLUMNS:
        assert row[state] == counts.get(state, 0), state
    assert row["claims"] == len(chosen)
    assert row["compliance"] == pytest.approx(counts["met"] / (counts["met"] + counts["breached"]))
    in_ratio = chosen[chosen["sla_state"].isin(["met", "breached"])]
    assert row["median_business_days_taken"] == pytest.approx(
        in_ratio["business_days_taken"].astype(float).median())
    assert row["sla_business_days"] == 5


def test_sla_summary_of_nothing(synthetic_con, synthetic) -> None:
    row = synthetic_con.execute(
        "select claims, met, breached, compliance, median_business_days_taken "
        "from marts.sla_summary($as_of, customers := ['nobody'])", {"as_of": AS_OF}).fetchone()
    assert row == (0, 0, 0, None, None)

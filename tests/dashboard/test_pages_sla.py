"""The SLA page, run headless with AppTest over a small generated warehouse, against the marts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access.reports import monthly_report
from dashboard.i18n import DIMENSION_LABELS, NOT_GIVEN, format_number, format_percent
from dashboard.report_download import month_name, report_months
from pipelines.config import settings
from pipelines.reports import figures
from pipelines.warehouse.calendar import today
from tests.dashboard.generated_warehouse import (
    chart_values,
    metrics,
    open_page,
    principal,
    query,
    run,
    signed_in,
    table_with,
)

pytestmark = pytest.mark.usefixtures("served")

MANAGEMENT = "management@kasko.demo"
ACCOUNT_MANAGER = "account.manager@kasko.demo"
MASTER = "master@kasko.demo"
DIPENDENTE = "dipendente@kasko.demo"
SUMMARY = """
select * from marts.sla_summary(
    $as_of, customers := $customers, date_from := $date_from, date_to := $date_to)
"""
BREAKDOWN = """
select * from marts.sla_breakdown(
    $as_of, $dimension, customers := $customers, date_from := $date_from, date_to := $date_to)
"""
BY_PERIOD = """
select * from marts.sla_by_period(
    $as_of, $grain, customers := $customers, date_from := $date_from, date_to := $date_to)
order by period_start
"""


def sla_page(warehouse: Path, login: str) -> AppTest:
    return open_page(signed_in(principal(warehouse, login)), "sla")


def month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def shown_period(app: AppTest) -> tuple[date, date]:
    start, end = app.date_input(key="sla_period").value
    return start, end


def mart(warehouse: Path, sql: str, period: tuple[date, date], customers: list[str] | None = None,
         **params: Any) -> pd.DataFrame:
    return query(warehouse, sql, {"as_of": today(), "customers": customers,
                                  "date_from": period[0], "date_to": period[1], **params})


def days(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    return format_number(value, 0 if float(value).is_integer() else 1)


def expected_tiles(row: pd.Series) -> dict[str, str]:
    compliance = None if pd.isna(row["compliance"]) else float(row["compliance"])
    return {
        "Conformità SLA": format_percent(compliance),
        "Rispettate": format_number(int(row["met"])),
        "Violate": format_number(int(row["breached"])),
        "A rischio": format_number(int(row["at_risk"])),
        "Pratiche": format_number(int(row["claims"])),
        "In attesa documenti": format_number(int(row["pending_documentation"])),
        "Mediana gg lav. impiegati": days(row["median_business_days_taken"]),
        "Mediana attesa doc.": days(row["median_documentation_wait_days"]),
    }


def chart(app: AppTest, title: str) -> dict[str, Any]:
    for element in app.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title):
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def test_the_default_period_is_the_last_three_full_months_and_the_current_one(
        warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    now = today()
    assert [t.value for t in app.title] == ["SLA"]
    assert shown_period(app) == (month_start(now, 3), month_start(now, -1) - timedelta(days=1))


def test_tiles_are_the_sla_summary_mart(warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    row = mart(warehouse, SUMMARY, shown_period(app)).iloc[0]
    assert row["claims"] > 0
    tiles = metrics(app)
    assert {label: tiles[label] for label in expected_tiles(row)} == expected_tiles(row)
    points = (float(row["compliance"]) - settings().sla.compliance_target) * 100
    compliance_tile = next(t for t in app.metric if t.label == "Conformità SLA")
    assert compliance_tile.delta == ("-" if points < 0 else "+") + format_number(abs(points), 1) \
        + " pp"


def test_a_period_change_changes_the_tiles(warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    before = metrics(app)
    earlier = (month_start(today(), 12), month_start(today(), 9) - timedelta(days=1))
    app.date_input(key="sla_period").set_value(earlier)
    run(app)
    after = metrics(app)
    expected = expected_tiles(mart(warehouse, SUMMARY, earlier).iloc[0])
    assert {label: after[label] for label in expected} == expected
    assert after != before


def test_the_breakdown_tables_are_the_breakdown_mart(warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    period = shown_period(app)
    for dimension in ("request_type", "channel", "delivery_mode", "region", "assistance_point",
                      "customer", "device_model"):
        app.selectbox(key="sla_dimension").set_value(dimension)
        run(app)
        label = DIMENSION_LABELS[dimension]
        shown = table_with(app, label).set_index(label).sort_index()
        expected = mart(warehouse, BREAKDOWN, period, dimension=dimension)
        missing = "(nessun punto assistenza)" if dimension == "assistance_point" else NOT_GIVEN
        expected = expected.assign(
            shown_label=expected["label"].fillna(expected["key"]).fillna(missing)
        ).set_index("shown_label").sort_index()
        assert list(shown.index) == list(expected.index), dimension
        for column, name in (("Pratiche", "claims"), ("Rispettate", "met"),
                             ("Violate", "breached"), ("A rischio", "at_risk"),
                             ("In tempo", "on_track"), ("Escluse", "excluded"),
                             ("In attesa documenti", "pending_documentation")):
            # one Italian rule on screen: 1.234, never 1234 beside 17.109
            assert shown[column].tolist() == [format_number(int(count))
                                              for count in expected[name]], (dimension, column)
        target = settings().sla.compliance_target
        assert shown["Conformità"].tolist() == [
            "–" if pd.isna(share) else
            ("🟢 " if share >= target else "🔴 ") + format_percent(float(share))
            for share in expected["compliance"]
        ], dimension


def test_compliance_trends_are_the_period_mart_with_the_target_line(warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    period = shown_period(app)
    target = settings().sla.compliance_target
    for grain, title in (("week", "Conformità per settimana"), ("month", "Conformità per mese")):
        spec = chart(app, title)
        periods = mart(warehouse, BY_PERIOD, period, grain=grain)
        periods = periods[periods["met"] + periods["breached"] > 0]
        assert chart_values(spec["data"][0], "y") == pytest.approx(periods["compliance"].tolist())
        assert [shape["y0"] for shape in spec["layout"]["shapes"]] == [target]
        assert spec["layout"]["yaxis"]["tickformat"] == ".0%"
        assert spec["layout"]["separators"] == ",."
        assert spec["layout"]["xaxis"]["title"]["text"].endswith("di scadenza" if grain == "month"
                                                                 else "(dal lunedì)")


def test_the_days_taken_histogram_counts_every_met_and_breached_claim(warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    row = mart(warehouse, SUMMARY, shown_period(app)).iloc[0]
    spec = chart(app, "Distribuzione dei giorni lavorativi impiegati")
    met, breached = (sum(chart_values(trace, "y")) for trace in spec["data"])
    assert (met, breached) == (row["met"], row["breached"])
    limit_line = spec["layout"]["shapes"][0]
    assert limit_line["x0"] == row["sla_business_days"] + 0.5


def test_the_breaches_and_at_risk_lists(warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    start, end = shown_period(app)
    # claims to follow: only those still open (a delivered or closed breach is history)
    tickets = query(warehouse, "select request_number, sla_state, due_date "
                    "from marts.ticket_sla($as_of) where is_monitored", {"as_of": today()})
    closed = query(warehouse, "select count(*) as n from marts.ticket_sla($as_of) "
                   "where sla_state = 'breached' and not is_monitored", {"as_of": today()})
    assert int(closed["n"].iloc[0]) > 0  # the generated set has closed breaches to leave out
    due = tickets["due_date"].dt.date
    breached = tickets[(tickets["sla_state"] == "breached") & (due >= start) & (due <= end)]
    at_risk = tickets[tickets["sla_state"] == "at_risk"]
    assert [tab.label for tab in app.tabs][2:] == [
        f"Aperte e violate ({format_number(len(breached))})",
        f"A rischio alla data ({format_number(len(at_risk))})",
    ]
    lists = [table for table in app.dataframe if "request_number" in table.value.columns]
    shown = [set(table.value["request_number"]) for table in lists]
    expected = [set(frame["request_number"]) for frame in (breached, at_risk) if len(frame)]
    assert shown == expected


def test_a_master_sees_their_customer_only_and_no_monthly_report(warehouse: Path) -> None:
    master = principal(warehouse, MASTER)
    app = open_page(signed_in(master), "sla")
    expected = expected_tiles(
        mart(warehouse, SUMMARY, shown_period(app), [master.customer_code]).iloc[0])
    assert {label: metrics(app)[label] for label in expected} == expected
    assert "Report mensile" not in [h.value for h in app.subheader]
    assert not [b for b in app.get("download_button") if b.proto.label.startswith("Report")]


def test_the_monthly_report_is_offered_to_management_only(warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    assert app.selectbox(key="report_month").value == report_months(today())[0]
    assert [b.proto.label for b in app.get("download_button")][-2:] == ["Report Excel",
                                                                      "Report HTML"]
    manager = principal(warehouse, ACCOUNT_MANAGER)
    app = open_page(signed_in(manager), "sla")
    assert "Report mensile" not in [h.value for h in app.subheader]
    with pytest.raises(PermissionError):
        monthly_report(manager, report_months(today())[1], ".xlsx", today(), warehouse)


def test_the_monthly_report_files(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(path: Path) -> None:
        raise AssertionError("the dashboard's report reads through the data layer's connection")

    # a second connection of the dashboard's process could be handed a replaced file
    monkeypatch.setattr(figures, "connect_read_only", refused)
    management = principal(warehouse, MANAGEMENT)
    month = report_months(today())[1]
    workbook = monthly_report(management, month, ".xlsx", today(), warehouse)
    page = monthly_report(management, month, ".html", today(), warehouse).decode("utf-8")
    assert workbook[:2] == b"PK"
    assert f"<title>Report SLA — {month_name(month)}</title>" in page


def test_an_employee_has_no_sla_page(warehouse: Path) -> None:
    app = signed_in(principal(warehouse, DIPENDENTE))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("screens/sla.py")


def test_an_empty_period_says_so(warehouse: Path) -> None:
    app = sla_page(warehouse, MANAGEMENT)
    far = (date(today().year - 5, 1, 1), date(today().year - 5, 1, 31))  # before any claim
    app.date_input(key="sla_period").set_value(far)
    run(app)
    assert metrics(app) == {}
    assert any("Nessuna pratica con scadenza nel periodo" in i.value for i in app.info)
    assert len(app.get("plotly_chart")) == 0

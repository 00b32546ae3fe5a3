"""The Portafoglio page, run headless with AppTest over a small generated warehouse."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import format_number, format_percent
from pipelines.warehouse.calendar import today
from tests.dashboard.generated_warehouse import (
    metrics,
    open_page,
    principal,
    query,
    run,
    signed_in,
    table_with,
    tables_with,
)

pytestmark = pytest.mark.usefixtures("served")

MANAGEMENT = "management@kasko.demo"
ACCOUNT_MANAGER = "account.manager@kasko.demo"


def portfolio_page(warehouse: Path, login: str) -> AppTest:
    return open_page(signed_in(principal(warehouse, login)), "portfolio")


def customers(app: AppTest) -> pd.DataFrame:
    return table_with(app, "Conformità 12 mesi")


def window_start() -> date:
    return (pd.Timestamp(today()) - pd.DateOffset(months=12)).date() + timedelta(days=1)


def test_an_account_manager_sees_exactly_their_customers(warehouse: Path) -> None:
    app = portfolio_page(warehouse, ACCOUNT_MANAGER)
    theirs = query(warehouse, "select customer_code from core.customers "
                   "where lower(account_manager) = ?", [ACCOUNT_MANAGER])
    assert len(theirs) > 1
    shown = customers(app)
    assert sorted(shown["Codice cliente"]) == sorted(theirs["customer_code"])
    assert set(shown["Account manager"].str.lower()) == {ACCOUNT_MANAGER}
    assert metrics(app)["Clienti"] == format_number(len(theirs))


def whole(shown: pd.Series) -> pd.Series:
    """Counts as the table writes them ('1.234') back to numbers."""
    return shown.str.replace(".", "", regex=False).astype(int)


def test_management_sees_every_customer_with_the_portfolio_figures(warehouse: Path) -> None:
    app = portfolio_page(warehouse, MANAGEMENT)
    every = query(warehouse, "select customer_code from core.customers")
    shown = customers(app).set_index("Codice cliente").sort_index()
    assert list(shown.index) == sorted(every["customer_code"])
    devices = query(warehouse, "select customer_code, count(*) as covered from core.devices "
                    "where protection_state = 'Attiva' group by customer_code")
    covered = devices.set_index("customer_code")["covered"].reindex(shown.index).fillna(0)
    assert shown["Dispositivi coperti"].tolist() == [format_number(int(count))
                                                     for count in covered]
    tiles = metrics(app)
    assert tiles["Dispositivi coperti"] == format_number(int(covered.sum()))
    assert tiles["Aperte violate"] == format_number(whole(shown["Aperte violate"]).sum())
    assert tiles["Aperte a rischio"] == format_number(whole(shown["Aperte a rischio"]).sum())
    tickets = query(warehouse, "select count(*) filter (where sla_state = 'at_risk') as at_risk, "
                    "count(*) filter (where sla_state = 'breached' and is_monitored) as breached "
                    "from marts.ticket_sla($as_of)", {"as_of": today()}).iloc[0]
    assert (whole(shown["Aperte a rischio"]).sum(), whole(shown["Aperte violate"]).sum()) == (
        tickets["at_risk"], tickets["breached"])


def test_the_search_box_keeps_matching_customers(warehouse: Path) -> None:
    app = portfolio_page(warehouse, MANAGEMENT)
    first = customers(app).iloc[0]
    word = str(first["Cliente"]).split()[-1]
    app.text_input(key="portfolio_search").input(word.upper())
    run(app)
    shown = customers(app)
    assert first["Codice cliente"] in set(shown["Codice cliente"])
    assert shown["Cliente"].str.lower().str.contains(word.lower(), regex=False).all()
    app.text_input(key="portfolio_search").input("nessun cliente si chiama così")
    run(app)
    assert any("Nessun cliente corrisponde" in info.value for info in app.info)


def test_a_customer_in_detail(warehouse: Path) -> None:
    app = portfolio_page(warehouse, ACCOUNT_MANAGER)
    shown = customers(app)
    busiest = shown.sort_values("Pratiche 12 mesi", ascending=False).iloc[0]
    code = busiest["Codice cliente"]
    app.selectbox(key="portfolio_customer").set_value(code)
    run(app)
    assert busiest["Cliente"] in [h.value for h in app.subheader]
    summary = query(warehouse, "select * from marts.sla_summary($as_of, customers := $customers, "
                    "date_from := $date_from)",
                    {"as_of": today(), "customers": [code], "date_from": window_start()}).iloc[0]
    tiles = metrics(app)
    compliance = None if pd.isna(summary["compliance"]) else float(summary["compliance"])
    assert tiles["Conformità SLA"] == format_percent(compliance)
    assert tiles["Rispettate"] == format_number(int(summary["met"]))
    assert tiles["Violate"] == format_number(int(summary["breached"]))
    # the detail's 12 months are the portfolio's: the same compliance
    assert busiest["Conformità 12 mesi"].endswith(" " + format_percent(compliance))
    open_claims = query(warehouse, "select request_number from marts.ticket_sla($as_of, "
                        "customers := $customers) where is_monitored "
                        "and sla_state in ('at_risk', 'breached')",
                        {"as_of": today(), "customers": [code]})
    lists = tables_with(app, "request_number")
    shown_claims = set(lists[0]["request_number"]) if lists else set()
    assert shown_claims == set(open_claims["request_number"])
    assert len(open_claims) == int(busiest["Aperte a rischio"]) + int(busiest["Aperte violate"])
    assert any(element.proto.id.endswith("customer_trend") for element in app.get("plotly_chart"))


@pytest.mark.parametrize("login", ["master@kasko.demo", "dipendente@kasko.demo",
                                   "mandatario@kasko.demo"])
def test_customer_profiles_have_no_portfolio_page(warehouse: Path, login: str) -> None:
    app = signed_in(principal(warehouse, login))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("screens/portfolio.py")

"""SLA, Portafoglio and Qualità dati in headless Chromium: headings, KPI values, screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.i18n import format_number
from dashboard.views import default_period
from pipelines.demo import DEMO_ACCOUNTS
from pipelines.warehouse.calendar import today
from tests.dashboard.browser_support import CHROMIUM_ARGS, chromium_path, serving
from tests.dashboard.generated_warehouse import (
    ROOT,
    query,
)

ARTIFACTS = ROOT / "test-artifacts"
MANAGEMENT = "management@kasko.demo"
ACCOUNT_MANAGER = "account.manager@kasko.demo"
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(warehouse: Path) -> Iterator[str]:
    with serving(warehouse) as url:
        yield url


def settle(page) -> None:
    """Wait for the script run to end, then for charts and table canvases to paint."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)
    for selector in (".js-plotly-plot .main-svg", '[data-testid="stDataFrame"] canvas'):
        if page.locator(selector).count():
            page.locator(selector).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)


def sign_in(browser, url: str, login: str):
    context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome",
                                  viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.get_by_role("textbox", name="Utente").fill(login)
    page.get_by_role("textbox", name="Password").fill(DEMO_ACCOUNTS[login][1])
    page.get_by_role("button", name="Accedi").click()
    page.get_by_test_id("stTopNav").wait_for()
    settle(page)
    return page


def open_page(page, title: str) -> None:
    page.get_by_test_id("stTopNav").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    settle(page)


def tile(page, label: str) -> str:
    """The value of the KPI tile with this label, as the browser shows it."""
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def shoot(page, name: str) -> None:
    """A screenshot of the whole page (the app scrolls inside its main block, not the body)."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1600, "height": max(1000, height + 40)})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1600, "height": 1000})


def test_sla_portfolio_and_data_quality_pages(server: str, warehouse: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    ARTIFACTS.mkdir(exist_ok=True)
    now = today()
    first, last = default_period(now)  # checked on its own in test_pages_sla.py
    summary = query(warehouse, "select * from marts.sla_summary($as_of, date_from := $from, "
                    "date_to := $to)", {"as_of": now, "from": first, "to": last}).iloc[0]
    customers = query(warehouse, "select lower(account_manager) as manager from core.customers")
    files = query(warehouse, "select count(*) as files from raw.load_log").iloc[0]["files"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            page = sign_in(browser, server, MANAGEMENT)
            open_page(page, "SLA")
            assert tile(page, "Violate") == format_number(int(summary["breached"]))
            assert tile(page, "Rispettate") == format_number(int(summary["met"]))
            shoot(page, "pages_management_sla")
            open_page(page, "Portafoglio")
            assert tile(page, "Clienti") == format_number(len(customers))
            shoot(page, "pages_management_portafoglio")
            open_page(page, "Qualità dati")
            assert tile(page, "File caricati") == format_number(int(files))
            shoot(page, "pages_management_qualita_dati")

            page = sign_in(browser, server, ACCOUNT_MANAGER)
            open_page(page, "Portafoglio")
            theirs = int((customers["manager"] == ACCOUNT_MANAGER).sum())
            assert tile(page, "Clienti") == format_number(theirs)
            assert page.get_by_test_id("stTopNav").get_by_text(
                "Qualità dati", exact=True).count() == 0
            shoot(page, "pages_account_manager_portafoglio")
        finally:
            browser.close()

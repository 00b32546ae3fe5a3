"""Every demo profile signs in and opens every page of theirs at 1280x800 in headless Chromium.

Each page gets a screenshot under test-artifacts/profiles/; the test fails on an
exception box or on English words a user would read (ENGLISH below). It also checks what
the browser alone can: a refresh keeps the session (HttpOnly cookie), a deep link opens
the page asked for after sign-in, the as-of date holds across pages and in the address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from dashboard.access.session_cookie import COOKIE_NAME
from dashboard.app_pages import PAGES
from dashboard.i18n import PAGE_TITLES
from pipelines.demo import DEMO_ACCOUNTS
from pipelines.warehouse.calendar import today
from tests.dashboard.browser_support import CHROMIUM_ARGS, chromium_path, serving
from tests.dashboard.generated_warehouse import (
    ROOT,
    principal,
)

ARTIFACTS = ROOT / "test-artifacts" / "profiles"
TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1280, "height": 800}
# English a user could meet: Streamlit's own chrome and words the code once let through.
ENGLISH = (
    "Page not found", "Download as CSV", "Record screen", "Print", "Clear cache", "Rerun",
    "Deploy", "Settings", "open claims", "while protection", "is not in", "Search",
    "Fullscreen", "Show/hide columns", "Made with Streamlit", "Traceback", "Error",
    "None", "NaN", "1 pratiche",
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(warehouse: Path) -> Iterator[str]:
    with serving(warehouse) as url:
        yield url


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=TIMEOUT_MS)
    page.wait_for_timeout(400)
    for selector in (".js-plotly-plot .main-svg", '[data-testid="stDataFrame"] canvas'):
        if page.locator(selector).count():
            page.locator(selector).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(800)


def sign_in(page, url: str, login: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Utente").fill(login)
    page.get_by_role("textbox", name="Password").fill(DEMO_ACCOUNTS[login][1])
    page.get_by_role("button", name="Accedi").click()
    page.get_by_role("button", name="Esci").wait_for(timeout=TIMEOUT_MS)
    settle(page)


def english_on(page) -> list[str]:
    """The listed English words the page shows (menus and tooltips included when open)."""
    text = page.locator("body").inner_text()
    return [word for word in ENGLISH if re.search(rf"(?<![\w.]){re.escape(word)}(?!\w)", text)]


def check_page(page, name: str) -> None:
    assert page.get_by_test_id("stException").count() == 0, f"{name}: exception box"
    assert english_on(page) == [], name
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    tables = page.get_by_test_id("stDataFrame")
    if tables.count():  # the grid's English toolbar ("Download as CSV", ...) never shows
        tables.first.hover()
        page.wait_for_timeout(300)
        toolbars = page.get_by_test_id("stElementToolbar")
        assert not any(toolbars.nth(i).is_visible() for i in range(toolbars.count())), name


def test_every_profile_opens_every_page_in_italian(server: str, warehouse: Path) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            for login, (profile, _) in DEMO_ACCOUNTS.items():
                who = principal(warehouse, login)
                context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome",
                                              viewport=VIEWPORT)
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                sign_in(page, server, login)
                slug = profile.lower().replace(" ", "_")
                own = [spec for spec in PAGES if spec.allowed(who)]
                menu = page.get_by_test_id("stTopNav")
                for spec in own:
                    if len(own) > 1:  # with one page of their own there is no menu
                        menu.get_by_text(PAGE_TITLES[spec.name], exact=True).click()
                    page.get_by_role("heading", name=PAGE_TITLES[spec.name],
                                     exact=True).first.wait_for()
                    settle(page)
                    check_page(page, f"{slug}_{spec.url_path}")
                # the menu of Streamlit's own, where there is one, says nothing in English
                main_menu = page.get_by_test_id("stMainMenu")
                if main_menu.count():
                    main_menu.click()
                    page.wait_for_timeout(300)
                    assert english_on(page) == [], f"{slug}: main menu"
                    page.keyboard.press("Escape")
                # a page not for this profile, asked for by its address, says so in Italian
                for spec in PAGES:
                    if spec not in own:
                        page.goto(f"{server}/{spec.url_path}")
                        page.get_by_text("Pagina non disponibile").wait_for()
                        check_page(page, f"{slug}_{spec.url_path}_non_disponibile")
                        break
                context.close()
        finally:
            browser.close()


def test_a_refresh_keeps_the_session_and_a_deep_link_opens_after_sign_in(
    server: str, warehouse: Path
) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chosen = today() - timedelta(days=7)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome",
                                          viewport=VIEWPORT)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            deep = f"{server}/abilitazioni?cerca=Samsung&al={chosen.isoformat()}"
            page.goto(deep)
            settle(page)
            assert english_on(page) == []  # no "Page not found" before signing in
            login = "management@kasko.demo"
            page.get_by_role("textbox", name="Utente").fill(login)
            page.get_by_role("textbox", name="Password").fill(DEMO_ACCOUNTS[login][1])
            page.get_by_role("button", name="Accedi").click()
            page.get_by_role("heading", name="Abilitazioni", exact=True).wait_for()
            settle(page)
            assert page.url == deep  # the page asked for, with its filters
            assert page.get_by_role("textbox", name="Cerca linea").input_value() == "Samsung"
            cookie = next(c for c in context.cookies() if c["name"] == COOKIE_NAME)
            assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

            page.reload()
            page.get_by_role("heading", name="Abilitazioni", exact=True).wait_for()
            settle(page)
            assert page.get_by_role("textbox", name="Utente").count() == 0  # still signed in

            # the as-of date chosen holds on every page and travels in the address
            shown = chosen.strftime("%d/%m/%Y")
            for title in ("SLA", "Monitoraggio ticket", "Portafoglio"):
                page.get_by_test_id("stTopNav").get_by_text(title, exact=True).click()
                page.get_by_role("heading", name=title, exact=True).first.wait_for()
                settle(page)
                picker = page.get_by_test_id("stDateInput").filter(has_text="Situazione al")
                assert re.sub(r"\s", "", picker.inner_text()).endswith(shown), title
                assert f"al={chosen.isoformat()}" in page.url, title
            check_page(page, "management_portafoglio_data_scelta")

            page.get_by_role("button", name="Esci").click()
            page.get_by_role("textbox", name="Utente").wait_for()
            assert COOKIE_NAME not in {c["name"] for c in context.cookies()}
            page.goto(f"{server}/sla")
            page.get_by_role("textbox", name="Utente").wait_for()  # signed out stays out
        finally:
            browser.close()

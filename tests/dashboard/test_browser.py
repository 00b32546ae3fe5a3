"""End to end: `kasko serve` over generated demo data, driven in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.access import data
from dashboard.access.auth import principal_for_login
from dashboard.i18n import count_label
from pipelines.appstate import accounts
from pipelines.demo import DEMO_ACCOUNTS, generate
from pipelines.ingest.load import load_paths
from tests.dashboard.browser_support import CHROMIUM_ARGS, chromium_path, serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
MANDATARIO = "mandatario@kasko.demo"
MANAGEMENT = "management@kasko.demo"
TIMEOUT_MS = 20_000
VIEWPORT_HEIGHT = 1500
ROW_PIXELS = 35  # st.dataframe's row height

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> str:
    """Looked for first, before any data is made: a missing browser fails at once."""
    return chromium_path()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small demo data, loaded, with the two demo accounts this test signs in with."""
    folder = tmp_path_factory.mktemp("browser")
    exports = generate(folder / "exports", customers=12, devices=400, claims=150)
    db = folder / "kasko.duckdb"
    results = load_paths(exports, db)
    assert [r.error for r in results if r.error] == []
    for login in (MANDATARIO, MANAGEMENT):
        accounts.set_password(db, login, DEMO_ACCOUNTS[login][1])
    return db


@pytest.fixture(scope="module")
def server(warehouse: Path) -> Iterator[str]:
    with serving(warehouse, start_timeout=30) as url:
        yield url


def single_claim_imei(db: Path) -> tuple[str, str]:
    """An IMEI of the Mandatario's customer with exactly one claim, and that claim's number."""
    principal = principal_for_login(db, MANDATARIO)
    assert principal is not None
    claims = data.list_claims(principal, data.ClaimFilters(view="history"), warehouse=db)
    counts = claims["imei"].value_counts()
    imei = sorted(counts[counts == 1].index)[0]
    return imei, claims.loc[claims["imei"] == imei, "request_number"].item()


def customer_of(db: Path) -> str:
    principal = principal_for_login(db, MANDATARIO)
    assert principal is not None and principal.customer_code
    return principal.customer_code


def line_to_enable(db: Path) -> tuple[int, str, int, int]:
    """A line in the first rows of the Mandatario's register that is not enabled (its row and
    number), with how many lines the register has and how many are enabled."""
    principal = principal_for_login(db, MANDATARIO)
    lines = data.list_lines(principal, customer_of(db), warehouse=db)
    row = next(i for i, enabled in enumerate(lines["enabled"].head(10)) if not enabled)
    return row, lines["nmu"].iloc[row], len(lines), int(lines["enabled"].sum())


def settle(page) -> None:
    """Wait until the app has finished its current run."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=TIMEOUT_MS)


def sign_in(page, url: str, login: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Utente").fill(login)
    page.get_by_role("textbox", name="Password").fill(DEMO_ACCOUNTS[login][1])
    page.get_by_role("button", name="Accedi").click()
    page.get_by_role("heading", name="Monitoraggio ticket").wait_for(timeout=TIMEOUT_MS)
    settle(page)


def open_page(page, title: str) -> None:
    page.get_by_test_id("stTopNav").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=TIMEOUT_MS)
    settle(page)


def shoot(page, name: str) -> None:
    """A screenshot of the whole page: the app scrolls inside its own container, not the page,
    so the window grows to the content (growing re-renders the app: it never shrinks back)."""
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stAppViewContainer'].map(id =>
            document.querySelector(`[data-testid="${id}"]`)?.scrollHeight ?? 0))"""
    )
    size = page.viewport_size
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(height, 6000)})
        settle(page)
    page.wait_for_timeout(300)  # let the grid canvases paint
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_mandatario_finds_a_claim_by_imei_and_enables_a_line(
    chromium: str, server: str, warehouse: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    imei, number = single_claim_imei(warehouse)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome",
                                          viewport={"width": 1440, "height": VIEWPORT_HEIGHT})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            sign_in(page, server, MANDATARIO)

            page.get_by_test_id("stButtonGroup").get_by_text("Storico", exact=True).click()
            settle(page)
            imei_box = page.get_by_role("textbox", name="IMEI", exact=True)
            imei_box.fill(imei)
            imei_box.press("Enter")
            expect(page.get_by_text("1 pratica · dalle più recenti")).to_be_visible()
            page.locator('[data-testid="stDataFrame"] canvas').first.wait_for()
            # the claim's detail opens in a dialog, in view whatever the scroll position
            expect(page.get_by_role("dialog").get_by_text(f"Pratica {number}")).to_be_visible()
            assert f"imei={imei}" in page.url  # the filter is in the address, to share
            settle(page)
            shoot(page, "mandatario_monitoraggio")
            page.keyboard.press("Escape")
            expect(page.get_by_role("dialog")).to_have_count(0)
            open_page(page, "SLA")
            shoot(page, "mandatario_sla")

            open_page(page, "Abilitazioni")
            row, line, lines, enabled = line_to_enable(warehouse)
            grid = page.get_by_test_id("stDataFrame").first.bounding_box()
            # the grid is a canvas: tick the row's selection box by its position
            page.mouse.click(grid["x"] + 16, grid["y"] + ROW_PIXELS * (row + 1.5))
            expect(page.get_by_text("Selezionate: 1 linea")).to_be_visible()
            page.get_by_role("button", name="Abilita", exact=True).click()
            dialog = page.get_by_role("dialog")
            expect(dialog.get_by_text(line)).to_be_visible()
            dialog.get_by_role("button", name="Conferma").click()
            expect(page.get_by_text("1 linea abilitata")).to_be_visible()
            expect(page.get_by_text(
                f"{count_label(lines, 'linea', 'linee')} · "
                f"{count_label(enabled + 1, 'abilitata', 'abilitate')} ad aprire pratiche"
            )).to_be_visible()
            newest = data.audit_trail(principal_for_login(warehouse, MANDATARIO),
                                      customer_of(warehouse), warehouse=warehouse).iloc[0]
            assert (newest["nmu"], newest["source"], bool(newest["enabled_after"])) == (
                line, "dashboard", True)
            settle(page)
            shoot(page, "mandatario_abilitazioni")

            page.get_by_role("button", name="Esci").click()
            sign_in(page, server, MANAGEMENT)
            shoot(page, "management_monitoraggio")
            for title, name in (("SLA", "sla"), ("Abilitazioni", "abilitazioni"),
                                ("Portafoglio", "portafoglio"), ("Qualità dati", "qualita_dati")):
                open_page(page, title)
                shoot(page, f"management_{name}")
        finally:
            browser.close()

"""End to end in headless Chromium: a Mandatario opens a theft claim, uploads its three
documents, and finds it in Monitoraggio with its expected delivery date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser_support import CHROMIUM_ARGS, chromium_path, serving

from dashboard.access import data
from dashboard.access.auth import principal_for_login
from pipelines.appstate import accounts
from tests.dashboard.intake_support import build_intake_warehouse
from tests.pipelines.intake.conftest import image_bytes, pdf_bytes

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
MANDATARIO, PASSWORD = "mandatario@beta.it", "Beta-Mandatario-2026!"
TIMEOUT_MS = 20_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build_intake_warehouse(tmp_path_factory.mktemp("browser_intake") / "kasko.duckdb")
    accounts.set_password(db, MANDATARIO, PASSWORD)
    return db


@pytest.fixture(scope="module")
def server(warehouse: Path) -> Iterator[str]:
    with serving(warehouse, start_timeout=30) as url:
        yield url


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=TIMEOUT_MS)


def test_a_mandatario_opens_a_theft_claim_with_its_documents(
    chromium: str, server: str, warehouse: Path, tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    documents = {"documento.jpg": image_bytes("JPEG"), "denuncia.pdf": pdf_bytes(),
                 "modulo.png": image_bytes("PNG")}
    for name, content in documents.items():
        (tmp_path / name).write_bytes(content)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome",
                                          viewport={"width": 1440, "height": 2200})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(server)
            page.get_by_role("textbox", name="Utente").fill(MANDATARIO)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Accedi").click()
            page.get_by_role("heading", name="Monitoraggio ticket").wait_for()
            settle(page)

            page.get_by_test_id("stTopNav").get_by_text("Richiedi assistenza",
                                                        exact=True).click()
            page.get_by_role("heading", name="Richiedi assistenza").wait_for()
            settle(page)
            page.get_by_text("Furto/Smarrimento", exact=True).click()
            settle(page)
            search = page.get_by_role("textbox", name="Cerca per IMEI")
            search.fill("220000034")
            search.press("Enter")
            settle(page)
            expect(page.locator("body")).to_contain_text(
                "IMEI 352099220000034 · Samsung Galaxy S25")
            place = page.get_by_role("textbox", name="Provincia (sigla) o comune")
            place.fill("MI")
            place.press("Enter")
            settle(page)
            expect(page.get_by_role("combobox", name="Punto assistenza")).to_have_value(
                re.compile("Centro Assistenza Milano Duomo"))
            expect(page.get_by_role("button", name="Scarica il modulo di blocco da firmare")
                   ).to_be_visible()
            inputs = page.locator('[data-testid="stFileUploader"] input[type="file"]')
            expect(inputs).to_have_count(3)
            for index, name in enumerate(documents):
                uploader = page.get_by_test_id("stFileUploader").nth(index)
                # the file is the widget's once the uploader lists it; a rerun that redraws
                # the uploader while the file is given loses it, so it is given again
                for _ in range(3):
                    settle(page)
                    uploader.locator('input[type="file"]').set_input_files(str(tmp_path / name))
                    try:
                        expect(uploader).to_contain_text(name, timeout=5000)
                        break
                    except AssertionError:
                        continue
                expect(uploader).to_contain_text(name)
                settle(page)
            page.get_by_role("button", name="Invia richiesta").click()
            settle(page)
            confirmation = page.get_by_text(re.compile(r"Richiesta KP-\d{4}-\d{7} inviata"))
            expect(confirmation).to_be_visible()
            number = re.search(r"KP-\d{4}-\d{7}", confirmation.inner_text()).group(0)
            principal = principal_for_login(warehouse, MANDATARIO)
            detail = data.claim_detail(principal, number, warehouse=warehouse)
            assert detail is not None and detail.claim["due_date"] is not None
            due = pd.Timestamp(detail.claim["due_date"]).strftime("%d/%m/%Y")
            assert set(detail.claim["documents"]) == {"id_document", "police_report",
                                                      "blocking_form"}
            expect(page.get_by_text(f"Consegna del sostitutivo prevista entro il {due}")
                   ).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "intake_confermata.png"), full_page=True)

            page.get_by_test_id("stTopNav").get_by_text("Monitoraggio ticket",
                                                        exact=True).click()
            page.get_by_role("heading", name="Monitoraggio ticket").wait_for()
            settle(page)
            box = page.get_by_role("textbox", name="Numero richiesta")
            box.fill(number)
            box.press("Enter")
            dialog = page.get_by_role("dialog")
            expect(dialog.get_by_text(f"Pratica {number}")).to_be_visible()
            expect(dialog.get_by_text("Inviata, non ancora presa in carico").first
                   ).to_be_visible()
            expect(dialog.get_by_text(due).first).to_be_visible()
            settle(page)
            page.screenshot(path=str(ARTIFACTS / "intake_monitoraggio.png"), full_page=True)
        finally:
            browser.close()

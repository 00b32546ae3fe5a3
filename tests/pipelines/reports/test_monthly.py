"""`kasko report`: the monthly SLA report as a workbook and as a self-contained page."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pipelines import config
from pipelines.cli import main
from pipelines.ingest.load import load_paths
from pipelines.output import OutputError
from pipelines.reports import ReportError, collect, month_bounds, write_report
from pipelines.reports.page import render_html

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sla"
AS_OF = date(2025, 3, 14)


@pytest.fixture(scope="module")
def sla_warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("report") / "kasko.duckdb"
    load_paths([FIXTURES], db)
    return db


@pytest.fixture(scope="module")
def workbook(sla_warehouse, tmp_path_factory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    write_report(sla_warehouse, "2025-03", out, as_of=AS_OF)
    return openpyxl.load_workbook(out)


@pytest.fixture(scope="module")
def page(sla_warehouse, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("html") / "report.html"
    write_report(sla_warehouse, "2025-03", out, as_of=AS_OF)
    return out.read_text(encoding="utf-8")


def column_values(sheet, header: str) -> list:
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_workbook_sheets(workbook) -> None:
    assert workbook.sheetnames[:3] == ["Riepilogo", "Violazioni", "A rischio"]
    assert set(workbook.sheetnames[3:]) == {"Per cliente", "Per punto assistenza", "Per modello"}


def test_summary_sheet(workbook) -> None:
    sheet = workbook["Riepilogo"]
    assert sheet["A1"].value == "Report SLA — marzo 2025"
    assert "dati al 14/03/2025" in sheet["A2"].value
    assert sheet.freeze_panes == "A4"
    kpis = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, max_row=15, max_col=2,
                                                      values_only=True)}
    assert kpis["Conformità SLA"] == pytest.approx(1 / 3)
    assert kpis["Obiettivo"] == pytest.approx(0.95)
    assert (kpis["Pratiche con scadenza nel mese"], kpis["Rispettate"], kpis["Violate"],
            kpis["A rischio"], kpis["In tempo"], kpis["Escluse"]) == (9, 1, 2, 2, 1, 2)
    assert "0.0%" in sheet["B5"].number_format
    labels = [row[0] for row in sheet.iter_rows(values_only=True) if row[0]]
    for section in ("Conformità per settimana (ISO) della scadenza", "Per tipo richiesta",
                    "Per canale", "Per modalità consegna", "Per regione cliente"):
        assert section in labels
    weeks = {row[0]: row for row in sheet.iter_rows(values_only=True)
             if isinstance(row[0], str) and row[0].startswith("2025-W")}
    assert list(weeks) == ["2025-W09", "2025-W10", "2025-W11", "2025-W12", "2025-W13",
                           "2025-W14"]
    assert weeks["2025-W09"][1] == datetime(2025, 3, 1)  # cut to the month
    assert weeks["2025-W11"][3:6] == (7, 1, 2)


def test_breaches_sheet(workbook) -> None:
    sheet = workbook["Violazioni"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P3"
    assert sheet["A1"].font.bold
    assert column_values(sheet, "Numero richiesta") == ["K-002", "K-003"]
    due = column_values(sheet, "Scadenza SLA")
    assert due == [datetime(2025, 3, 10), datetime(2025, 3, 12)]
    assert sheet["M2"].number_format == "dd/mm/yyyy" and sheet["M2"].is_date
    assert column_values(sheet, "Disponibilità sostitutivo") == [datetime(2025, 3, 11), None]
    assert column_values(sheet, "Giorni lavorativi impiegati") == [6, None]
    assert column_values(sheet, "Giorni lavorativi di ritardo") == [1, 2]
    assert column_values(sheet, "Ragione sociale") == ["Rossi Impianti S.r.l."] * 2
    assert sheet.column_dimensions["C"].width > 20


def test_at_risk_sheet(workbook) -> None:
    sheet = workbook["A rischio"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    assert column_values(sheet, "Numero richiesta") == ["K-004", "K-005"]
    assert column_values(sheet, "Giorni lavorativi rimanenti") == [1, 2]
    assert column_values(sheet, "Data apertura") == [datetime(2025, 3, 6), datetime(2025, 3, 10)]


def test_long_breakdown_sheets(workbook) -> None:
    customers = workbook["Per cliente"]
    assert customers.freeze_panes == "A2"
    rows = {row[0]: row for row in customers.iter_rows(min_row=2, values_only=True)}
    assert rows["Rossi Impianti S.r.l."][1:4] == (5, 1, 2)
    assert rows["Studio Bianchi"][4] is None  # no met or breached claim: no compliance
    points = [row[0] for row in workbook["Per punto assistenza"].iter_rows(min_row=2,
                                                                          values_only=True)]
    assert "(nessun punto assistenza)" in points


def test_page_is_self_contained(page) -> None:
    assert "<title>Report SLA — marzo 2025</title>" in page
    assert "plotly.js v" in page  # the library itself, inline
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "cdn" not in " ".join(re.findall(r"<script[^>]*>", page)).lower()
    assert page.count("plotly.js v") == 1  # once, not once per chart
    assert page.count('class="plotly-graph-div"') == 3
    assert "@media print" in page


def test_page_content(page) -> None:
    assert '<html lang="it">' in page
    assert "33,3%" in page and "Obiettivo 95,0%" in page
    assert "Violazioni (2)" in page and "A rischio (2)" in page
    assert "per settimana di scadenza" in page  # the chart title, inside the figure JSON
    for number in ("K-002", "K-003", "K-004", "K-005"):
        assert f"<td>{number}</td>" in page
    assert "10/03/2025" in page


def test_target_comes_from_configuration(sla_warehouse, tmp_path, monkeypatch) -> None:
    settings_file = tmp_path / "kasko.toml"
    settings_file.write_text("[sla]\ncompliance_target = 0.9\n", encoding="utf-8")
    monkeypatch.setenv(config.CONFIG_ENV, str(settings_file))
    config.settings.cache_clear()
    try:
        out = tmp_path / "report.html"
        write_report(sla_warehouse, "2025-03", out, as_of=AS_OF)
        assert "Obiettivo 90,0%" in out.read_text(encoding="utf-8")
        xlsx = tmp_path / "report.xlsx"
        write_report(sla_warehouse, "2025-03", xlsx, as_of=AS_OF)
        sheet = openpyxl.load_workbook(xlsx)["Riepilogo"]
        assert sheet["A6"].value == "Obiettivo" and sheet["B6"].value == pytest.approx(0.9)
    finally:
        config.settings.cache_clear()


def test_an_empty_month(sla_warehouse, tmp_path) -> None:
    xlsx = tmp_path / "empty.xlsx"
    write_report(sla_warehouse, "2025-06", xlsx, as_of=AS_OF)
    book = openpyxl.load_workbook(xlsx)
    assert book["Violazioni"]["A2"].value == "Nessuna pratica"
    assert book["Riepilogo"]["B5"].value is None  # no compliance without claims
    html = tmp_path / "empty.html"
    write_report(sla_warehouse, "2025-06", html, as_of=AS_OF)
    assert "Report SLA — giugno 2025" in html.read_text(encoding="utf-8")


def test_refuses_other_suffixes_and_bad_months(sla_warehouse, tmp_path, capsys) -> None:
    with pytest.raises(OutputError, match=r"must end in \.xlsx or \.html"):
        write_report(sla_warehouse, "2025-03", tmp_path / "report.pdf", as_of=AS_OF)
    assert not (tmp_path / "report.pdf").exists()
    with pytest.raises(ReportError, match="not a month"):
        write_report(sla_warehouse, "2025-13", tmp_path / "report.html", as_of=AS_OF)
    code = main(["report", "--month", "2025-03", "--out", str(tmp_path / "r.csv"),
                 "--db", str(sla_warehouse)])
    assert code == 2
    assert "must end in .xlsx or .html" in capsys.readouterr().err


def test_cli_report(sla_warehouse, tmp_path) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["report", "--month", "2025-03", "--out", str(out), "--as-of", "2025-03-14",
                 "--db", str(sla_warehouse)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Riepilogo"


def test_month_bounds() -> None:
    assert month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds("2025-12") == (date(2025, 12, 1), date(2025, 12, 31))


def test_page_escapes_every_value_from_the_warehouse(sla_warehouse) -> None:
    data = collect(sla_warehouse, "2025-03", AS_OF)
    hostile = '<img src=x onerror="alert(1)">'
    breach = {**data.breaches[0], "company_name": hostile, "status": "</td><script>x()</script>"}
    page = render_html(dataclasses.replace(data, breaches=[breach]))
    assert hostile not in page and "<script>x()" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "&lt;/td&gt;&lt;script&gt;x()&lt;/script&gt;" in page

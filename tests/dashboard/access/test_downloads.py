"""Dashboard downloads: no cell of a CSV or XLSX download is ever run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from dashboard.access.downloads import to_csv_bytes, to_xlsx_bytes

DANGEROUS = ["=1+1", "+39 333 1234567", "-2+3", "@SUM(A1:A2)", "\t=cmd", "\r=cmd",
             '=HYPERLINK("http://x","y")']
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# a quote in front of each; the formula after the carriage return gets its own
NEUTRALISED = ["'=1+1", "'+39 333 1234567", "'-2+3", "'@SUM(A1:A2)", "'\t=cmd", "'\r'=cmd",
               '\'=HYPERLINK("http://x","y")']


def sample() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "request_number": ["RK-1", "RK-2", "RK-3", "RK-4", "RK-5", "RK-6", "RK-7"],
            "note": DANGEROUS,
            "count": [-5, 0, 3, -1, 2, 7, -9],
            "share": [0.5, -0.25, None, 1.0, 0.0, -1.5, 2.0],
            "opened_date": [date(2025, 3, d) for d in range(3, 10)],
            "reasons": [["=bad"], [], ["ok"], ["-x", "y"], [], [], ["@z"]],
        }
    )


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_neutralises_formula_text_and_keeps_numbers() -> None:
    rows = read_csv(to_csv_bytes(sample()))
    assert rows[0] == ["request_number", "note", "count", "share", "opened_date", "reasons"]
    assert [row[1] for row in rows[1:]] == NEUTRALISED
    assert [row[2] for row in rows[1:]] == ["-5", "0", "3", "-1", "2", "7", "-9"]
    # Italian Excel's convention: decimal comma, day/month/year
    assert rows[2][3] == "-0,25" and rows[3][3] == ""
    assert rows[1][4] == "03/03/2025"
    assert rows[1][0] == "RK-1"


def test_xlsx_has_no_formula_and_neutralised_text() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(sample(), "Ticket")))
    sheet = workbook["Ticket"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # (a carriage return is stored escaped as _x000D_, which openpyxl leaves as is)
    notes = [row[1].value.replace("_x000D_", "\r") for row in sheet.iter_rows(min_row=2)]
    assert notes == NEUTRALISED
    counts = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert counts == [-5, 0, 3, -1, 2, 7, -9]  # numbers stay numbers
    reasons = [row[5].value for row in sheet.iter_rows(min_row=2)]
    assert reasons == ["'=bad", None, "ok", "'-x, y", None, None, "'@z"]
    assert isinstance(sheet["E2"].value, datetime) and sheet["E2"].value.date() == date(2025, 3, 3)


def test_sheet_names_excel_accepts() -> None:
    data = to_xlsx_bytes(pd.DataFrame({"a": [1]}), "Storico pratiche: marzo/aprile 2025 [tutti]")
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == [
        "Storico pratiche_ marzo_aprile "
    ]


@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
def test_no_csv_cell_starts_a_formula(texts: list[str]) -> None:
    rows = read_csv(to_csv_bytes(pd.DataFrame({"text": texts})))
    for row in rows[1:]:
        assert not row or not row[0].startswith(TRIGGERS)


def test_csv_writes_counts_whole_and_shares_rounded_with_a_decimal_comma() -> None:
    frame = pd.DataFrame({"Cliente": ["A", "B"], "Pratiche": [3.0, None],
                          "Conformità": [0.9616858237547893, 1.0],
                          "Caricato il": pd.to_datetime(["2025-03-03 14:30", "2025-03-04 08:05"])})
    rows = read_csv(to_csv_bytes(frame))
    assert rows[1:] == [["A", "3", "0,9617", "03/03/2025 14:30"],
                        ["B", "", "1,0", "04/03/2025 08:05"]]


def test_xlsx_formats_shares_as_percent_counts_as_integers_and_dates_as_dates() -> None:
    frame = pd.DataFrame({"Conformità": [0.9616858237547893], "Pratiche": [1234.0],
                          "Mediana": [2.5], "Scadenza": [date(2025, 3, 10)]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    share, count, median, due = (sheet.cell(2, column) for column in range(1, 5))
    assert share.value == 0.9616858237547893 and share.number_format == "0.0%"
    assert count.value == 1234 and count.number_format == "#,##0"
    assert median.value == 2.5 and median.number_format == "#,##0.0"
    assert due.value == datetime(2025, 3, 10) and due.number_format == "dd/mm/yyyy"

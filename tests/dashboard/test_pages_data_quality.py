"""The Qualità dati page, run headless with AppTest over a small generated warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import data
from dashboard.i18n import FLAG_LABELS, REASON_LABELS, format_number
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


@pytest.fixture
def page(warehouse: Path) -> AppTest:
    return open_page(signed_in(principal(warehouse, MANAGEMENT)), "data_quality")


def test_the_load_log_is_raw_load_log_and_reconciles(page: AppTest, warehouse: Path) -> None:
    log = query(warehouse, "select * from raw.load_log order by load_id desc")
    shown = table_with(page, "Quadratura")
    assert shown["File"].tolist() == log["file_name"].tolist()
    for column, name in (("Lette", "read_rows"), ("Caricate", "loaded_rows"),
                         ("Superate", "superseded_rows"), ("In quarantena", "quarantined_rows")):
        assert shown[column].tolist() == [format_number(count) for count in log[name]], column
    assert set(shown["Quadratura"]) == {"✅"}
    tiles = metrics(page)
    assert tiles["File caricati"] == format_number(len(log))
    assert tiles["Righe lette"] == format_number(int(log["read_rows"].sum()))
    assert tiles["In quarantena"] == format_number(int(log["quarantined_rows"].sum()))
    assert tiles["Non quadrati"] == "0"


def test_quarantined_rows_are_raw_quarantine_with_italian_reasons(page: AppTest,
                                                                  warehouse: Path) -> None:
    rows = query(warehouse, "select file_name, line, reasons from raw.quarantine")
    assert len(rows) > 0
    shown = table_with(page, "Motivi")
    assert len(shown) == len(rows)
    assert sorted(zip(shown["File"], shown["Riga"], strict=True)) == sorted(
        zip(rows["file_name"], rows["line"], strict=True))
    codes = {str(reason).partition(": ")[0] for reasons in rows["reasons"] for reason in reasons}
    text = " ".join(shown["Motivi"])
    assert all(REASON_LABELS[code] in text for code in codes)
    assert not any(f"{code}:" in text for code in codes)


def test_filtering_quarantined_rows_by_file_and_reason(page: AppTest, warehouse: Path) -> None:
    counts = query(warehouse, "select file_name, count(*) as rows from raw.quarantine "
                   "group by file_name order by rows desc, file_name")
    file_name, expected = counts.iloc[0]["file_name"], counts.iloc[0]["rows"]
    page.multiselect(key="quarantine_files").set_value([file_name])
    run(page)
    assert len(table_with(page, "Motivi")) == expected
    page.multiselect(key="quarantine_files").set_value([])
    reason = query(warehouse, "select split_part(unnest(reasons), ': ', 1) as code "
                   "from raw.quarantine").iloc[0]["code"]
    page.multiselect(key="quarantine_reasons_filter").set_value([reason])
    run(page)
    with_reason = query(warehouse, "select count(*) as rows from raw.quarantine where "
                        "len(list_filter(reasons, lambda r: split_part(r, ': ', 1) = ?)) > 0",
                        [reason]).iloc[0]["rows"]
    shown = table_with(page, "Motivi")
    assert len(shown) == with_reason
    assert shown["Motivi"].str.contains(REASON_LABELS[reason], regex=False).all()


def test_reason_chart_and_flag_counts(page: AppTest, warehouse: Path) -> None:
    reasons = query(warehouse, "select count(*) as rows from "
                    "(select unnest(reasons) from raw.quarantine)").iloc[0]["rows"]
    chart = next(c for c in page.get("plotly_chart") if c.proto.id.endswith("quarantine_reasons"))
    spec = json.loads(chart.proto.spec)
    assert sum(sum(chart_values(trace, "x")) for trace in spec["data"]) == reasons
    labels = {label for trace in spec["data"] for label in chart_values(trace, "y")}
    assert labels <= set(REASON_LABELS.values())
    flags = query(warehouse, "select flag, count(*) as rows from core.claim_flags group by flag "
                  "union all select flag, count(*) from core.enablement_flags group by flag")
    shown = table_with(page, "Segnalazione")
    assert sorted(zip(shown["Segnalazione"], shown["Righe"], strict=True)) == sorted(
        zip(flags["flag"].map(FLAG_LABELS), flags["rows"].map(format_number), strict=True))


@pytest.mark.parametrize("login", ["account.manager@kasko.demo", "master@kasko.demo",
                                   "dipendente@kasko.demo"])
def test_only_management_has_the_page(warehouse: Path, login: str) -> None:
    who = principal(warehouse, login)
    app = signed_in(who)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("screens/data_quality.py")
    assert data.data_quality(who, warehouse) is None

"""Charts at small volumes: whole-number count axes, no share above 100%, counts per point."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import charts


def periods() -> pd.DataFrame:
    return pd.DataFrame({
        "period_start": [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)],
        "period_label": ["sett. 45", "sett. 46", "sett. 47"],
        "met": [2, 1, 40],
        "breached": [1, 0, 0],
        "compliance": [2 / 3, 1.0, 1.0],
    })


def test_the_trend_ends_at_100_percent_and_says_how_many_claims_each_point_is() -> None:
    figure = charts.compliance_trend(periods(), "week", 0.95, "Conformità").to_dict()
    trace = figure["data"][0]
    assert figure["layout"]["yaxis"]["range"][1] == 1.0  # never an axis to 102%
    assert list(trace["text"]) == ["3", "1", "40"]  # the 66,7% week had 3 claims
    assert [row[3] for row in trace["customdata"]] == ["3 pratiche", "1 pratica", "40 pratiche"]


def test_a_small_count_axis_ticks_whole_numbers_only() -> None:
    distribution = pd.DataFrame({"business_days_taken": [2, 3, 7],
                                 "sla_state": ["met", "met", "breached"], "claims": [1, 1, 1]})
    figure = charts.days_taken_histogram(distribution, 5).to_dict()
    axis = figure["layout"]["yaxis"]
    assert (axis["tickmode"], axis["dtick"], axis["tick0"]) == ("linear", 1, 0)
    hover = [trace["customdata"] for trace in figure["data"]]
    assert [list(values) for values in hover] == [["1 pratica", "1 pratica"], ["1 pratica"]]
    assert charts.count_axis(250) == {"tickformat": ",d", "rangemode": "tozero"}


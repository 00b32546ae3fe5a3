"""Tables as people read them: a column written at once reads as each cell written alone."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from dashboard.display import BELOW_TARGET, MET_TARGET, compliance_badges, italian_table
from pipelines.vocabulary import italian_percent

share = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))


def one_badge(share: float | None, target: float) -> str:
    """The rule for one cell: the sign against the target, then the share in Italian."""
    if share is None:
        return "–"
    return f"{MET_TARGET if share >= target else BELOW_TARGET} {italian_percent(share)}"


@given(st.lists(share, max_size=40), st.floats(0, 1))
def test_compliance_badges_read_as_each_badge_alone(values: list[float | None],
                                                   target: float) -> None:
    column = pd.Series(values, dtype="float64")
    assert compliance_badges(column, target).tolist() == [
        one_badge(v, target) for v in values
    ]


def test_an_italian_table_writes_counts_decimals_and_shares() -> None:
    frame = pd.DataFrame({
        "Cliente": ["Alfa", "Beta", "Gamma"],
        "Dispositivi": pd.array([12345, None, 7], dtype="Int64"),
        "Ogni 100": [1.25, None, 1000.04],
        "Conformità": [0.97, 0.5, None],
    })
    shown = italian_table(frame, counts=("Dispositivi",), decimals={"Ogni 100": 1},
                          shares=("Conformità",), target=0.95)
    assert shown.to_dict("list") == {
        "Cliente": ["Alfa", "Beta", "Gamma"],
        "Dispositivi": ["12.345", "–", "7"],
        "Ogni 100": ["1,2", "–", "1.000,0"],
        "Conformità": ["🟢 97,0%", "🔴 50,0%", "–"],
    }
    assert frame["Dispositivi"].tolist()[0] == 12345  # the frame itself is left as it was

"""The pages' shared figure cache: a figure is built once per content of its frame and
arguments, whoever asks and whichever call read the rows."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import components


@pytest.fixture
def built() -> Iterator[list[tuple[list[int], str]]]:
    """The frames (their `n` values) and titles the test's chart was built from, in order."""
    # outside a served app Streamlit warns once per cached call that it has no runtime
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    components._figure.clear()  # each test counts the figures it builds itself
    yield []
    components._figure.clear()


def bars_recording(built: list[tuple[list[int], str]]):
    def bars(frame: pd.DataFrame, title: str) -> go.Figure:
        built.append((frame["n"].tolist(), title))
        return go.Figure(go.Bar(x=frame["n"]), layout={"title": title})

    return bars


def test_the_same_rows_and_arguments_share_one_figure(built) -> None:
    bars = bars_recording(built)
    frame = pd.DataFrame({"n": [1, 2, 3]})
    first = components.cached_figure(bars, frame, "Conformità")
    # the same rows read again (another session, another person of any scope): the very figure
    again = components.cached_figure(bars, frame.copy(), "Conformità")
    assert again is first
    assert built == [([1, 2, 3], "Conformità")]
    assert list(first.data[0].x) == [1, 2, 3]
    assert first.layout.title.text == "Conformità"


@pytest.mark.parametrize(
    ("other", "title"),
    [
        (pd.DataFrame({"n": [1, 2, 4]}), "Conformità"),  # a value changed (a new load)
        (pd.DataFrame({"n": [3, 2, 1]}), "Conformità"),  # the same values in another order
        (pd.DataFrame({"n": [1, 2]}), "Conformità"),  # fewer rows (a narrower scope)
        (pd.DataFrame({"n": [1.0, 2.0, 3.0]}), "Conformità"),  # another type
        (pd.DataFrame({"n": [1, 2, 3]}, index=[5, 6, 7]), "Conformità"),  # another index
        (pd.DataFrame({"n": [1, 2, 3]}), "Per mese"),  # other arguments
    ],
)
def test_other_rows_or_arguments_build_a_figure_of_their_own(built, other, title) -> None:
    bars = bars_recording(built)
    first = components.cached_figure(bars, pd.DataFrame({"n": [1, 2, 3]}), "Conformità")
    second = components.cached_figure(bars, other, title)
    assert second is not first
    assert built == [([1, 2, 3], "Conformità"), (other["n"].tolist(), title)]
    assert list(second.data[0].x) == other["n"].tolist()


def test_a_column_of_another_name_is_another_frame() -> None:
    values = [1, 2, 3]
    assert (components.frame_digest(pd.DataFrame({"n": values}))
            != components.frame_digest(pd.DataFrame({"m": values})))
    assert (components.frame_digest(pd.DataFrame({"n": values, "label": ["a", "b", "c"]}))
            != components.frame_digest(pd.DataFrame({"n": values, "label": ["a", "b", "d"]})))

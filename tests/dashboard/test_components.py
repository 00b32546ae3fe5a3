"""The pages' shared caches: a figure is built once per scope, data version and source."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import components
from dashboard.access.principal import Principal

FIRST_MANDATARIO = Principal("primo@alfa.it", "Primo", "Mandatario", "X001")
SECOND_MANDATARIO = Principal("secondo@alfa.it", "Secondo", "Mandatario", "X001")
OTHER_CUSTOMER = Principal("mandatario@beta.it", "Terzo", "Mandatario", "Y002")


@pytest.fixture
def version(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The data version the figures are keyed by, moved by the test."""
    # outside a served app Streamlit warns once per cached call that it has no runtime
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    current = [1]
    monkeypatch.setattr(components, "data_version", lambda warehouse: current[0])
    components.forget_scoped_results()
    yield current
    components.forget_scoped_results()


def test_a_figure_is_built_once_per_scope_version_and_source(version: list[int]) -> None:
    built: list[tuple[int, str]] = []

    def bars(frame: pd.DataFrame, title: str) -> go.Figure:
        built.append((len(frame), title))
        return go.Figure(go.Bar(x=frame["n"]), layout={"title": title})

    frame = pd.DataFrame({"n": [1, 2, 3]})
    first = components.scoped_figure(bars, FIRST_MANDATARIO, ("calls", 1), frame, "Conformità")
    # another person of the same scope gets the very figure built for the first
    shared = components.scoped_figure(bars, SECOND_MANDATARIO, ("calls", 1), frame, "Conformità")
    assert shared is first
    assert built == [(3, "Conformità")]
    assert first.layout.title.text == "Conformità"

    # another scope, another source, other arguments or new data: built anew
    components.scoped_figure(bars, OTHER_CUSTOMER, ("calls", 1), frame.head(2), "Conformità")
    components.scoped_figure(bars, FIRST_MANDATARIO, ("calls", 2), frame.head(1), "Conformità")
    components.scoped_figure(bars, FIRST_MANDATARIO, ("calls", 1), frame, "Per mese")
    version[0] = 2
    after_load = components.scoped_figure(bars, FIRST_MANDATARIO, ("calls", 1), frame,
                                          "Conformità")
    assert after_load is not first
    assert built == [(3, "Conformità"), (2, "Conformità"), (1, "Conformità"), (3, "Per mese"),
                     (3, "Conformità")]

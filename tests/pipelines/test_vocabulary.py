"""Italian numbers: a whole column written at once reads as each value written alone."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipelines.vocabulary import NO_VALUE, italian_number, italian_numbers

# counts and figures as tables hold them: integers, decimals, and the missing
whole = st.one_of(st.none(), st.integers(-(2**53), 2**53))
decimal = st.one_of(st.none(), st.floats(-1e12, 1e12, allow_nan=False))


@given(st.lists(whole, max_size=50))
def test_a_column_of_counts_reads_as_each_count_alone(values: list[int | None]) -> None:
    column = pd.Series(values, dtype="Int64")
    expected = [NO_VALUE if v is None else italian_number(v) for v in values]
    assert italian_numbers(column).tolist() == expected


@given(st.lists(decimal, max_size=50), st.integers(0, 3))
def test_a_column_of_decimals_reads_as_each_value_alone(
    values: list[float | None], decimals: int
) -> None:
    column = pd.Series(values, dtype="float64")
    expected = [NO_VALUE if v is None else italian_number(v, decimals) for v in values]
    assert italian_numbers(column, decimals).tolist() == expected


def test_the_separators_are_italian() -> None:
    column = pd.Series([1234567.891, -1234.5, 0.05, None])
    assert italian_numbers(column, 2).tolist() == ["1.234.567,89", "-1.234,50", "0,05", NO_VALUE]

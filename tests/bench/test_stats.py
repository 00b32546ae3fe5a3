"""The bench's percentile is the nearest-rank value: what "p95" means in every figure."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bench.stats import percentile


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=200),
       st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_percentile_is_the_nearest_rank_value(values: list[float], share: float) -> None:
    p = percentile(values, share)
    assert p in values
    assert sum(v <= p for v in values) >= share * len(values)
    assert sum(v < p for v in values) < share * len(values)


def test_p95_of_twenty_timings_is_the_nineteenth() -> None:
    assert percentile([float(n) for n in range(20, 0, -1)], 0.95) == 19.0

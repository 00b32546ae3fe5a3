"""The one percentile the bench and the load test report: the nearest-rank value."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def percentile(values: Sequence[float], share: float) -> float:
    """The smallest value with at least `share` of the values at or below it (nearest rank)."""
    return float(np.percentile(values, share * 100, method="inverted_cdf"))

"""Order statistics for the benchmark report (nearest-rank percentiles on sorted samples)."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["percentile", "spread"]


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation between closest ranks; NaN for no samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def spread(samples: Sequence[float]) -> dict[str, float]:
    """Median with p25/p75 and min/max, plus the sample count."""
    return {
        "median": percentile(samples, 50),
        "p25": percentile(samples, 25),
        "p75": percentile(samples, 75),
        "min": min(samples) if samples else math.nan,
        "max": max(samples) if samples else math.nan,
        "n": float(len(samples)),
    }

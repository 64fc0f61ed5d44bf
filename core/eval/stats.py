"""The figures of an eval table: Wilson's interval for an accuracy, and percentiles of latencies."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["Z95", "percentile", "wilson"]

Z95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95 % interval."""


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for ``successes`` out of ``trials``; (0, 1) when there were none.

    Unlike p ± z·√(p(1-p)/n) it stays within [0, 1] and is not empty at 0 % or 100 %, which small evals hit often.
    """
    if trials <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}, got {successes}")
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between the closest ranks (as numpy's default); 0 for no values."""
    if not 0 <= q <= 100:
        raise ValueError("q is a percentage between 0 and 100")
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)

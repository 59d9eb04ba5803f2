"""CloudWatch's statistics of one period's datapoints, and the comparison an alarm makes with them."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence

COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}


def statistic(name: str, values: Sequence[float]) -> float:
    """Sum, Average, Minimum, Maximum, SampleCount or a percentile such as p90 (nearest rank)."""
    if name == "Sum":
        return math.fsum(values)
    if name == "Average":
        return math.fsum(values) / len(values)
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    if name == "SampleCount":
        return float(len(values))
    if name.startswith("p"):
        ranked = sorted(values)
        rank = math.ceil(float(name[1:]) / 100 * len(ranked))
        return ranked[max(rank, 1) - 1]
    raise ValueError(f"unknown statistic {name!r}")

"""Axis ticks people can read: steps of 1, 2 or 5 times a power of ten (0, 2, 4, 6 s; never 1.6, 3.2 s)."""

from __future__ import annotations

import math

NICE_STEPS = (1.0, 2.0, 5.0, 10.0)


def nice_step(span: float, most: int = 6) -> float:
    """The smallest 1/2/5 x 10^n step that cuts `span` into at most `most` intervals."""
    if span <= 0:
        return 1.0
    rough = span / most
    power = 10.0 ** math.floor(math.log10(rough))
    return next(step * power for step in NICE_STEPS if step * power >= rough)


def nice_ticks(span: float, most: int = 6) -> list[float]:
    """Ticks from 0 to the first step at or past `span`, so the axis ends on a round number."""
    step = nice_step(span, most)
    count = max(1, math.ceil(span / step - 1e-9))
    return [round(index * step, 10) for index in range(count + 1)]

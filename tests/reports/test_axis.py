"""Axis ticks fall on 1, 2 or 5 times a power of ten and cover the whole span."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from relay.reports.axis import nice_step, nice_ticks


def test_a_drill_of_a_few_seconds_gets_whole_seconds() -> None:
    assert nice_ticks(4.7) == [0, 1, 2, 3, 4, 5]
    assert nice_ticks(16.3) == [0, 5, 10, 15, 20]
    assert nice_ticks(0.0) == [0, 1]


@given(st.floats(min_value=1e-3, max_value=1e6))
def test_every_step_is_one_two_or_five_times_a_power_of_ten(span: float) -> None:
    step = nice_step(span)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert round(mantissa, 6) in (1, 2, 5)
    ticks = nice_ticks(span)
    assert ticks[0] == 0 and ticks[-1] >= span * (1 - 1e-9)
    assert len(ticks) <= 7

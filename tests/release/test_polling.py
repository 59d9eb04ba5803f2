"""Poll pauses: short first, doubling, never above the cap."""

from __future__ import annotations

from itertools import islice

from relay.release.polling import pauses


def test_pauses_start_short_and_double_up_to_the_cap() -> None:
    assert list(islice(pauses(1.0), 6)) == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


def test_a_cap_below_the_first_pause_wins() -> None:
    assert list(islice(pauses(0.05), 2)) == [0.05, 0.05]

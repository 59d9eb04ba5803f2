"""Backoff: exponential, jittered, capped, reset by progress, bounded by a deadline (fake clock)."""

from __future__ import annotations

import pytest

from relay.errors import RelayError
from relay.stacks.waiting import Backoff


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_delays_grow_exponentially_within_the_cap_and_start_over_after_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("relay.stacks.waiting.random.uniform", lambda low, high: high)  # the ceiling itself
    fake = FakeTime()
    backoff = Backoff(base=0.5, cap=4.0, timeout=1000, sleep=fake.sleep, clock=fake.clock)

    for _ in range(6):
        backoff.wait()
    backoff.reset()
    backoff.wait()

    assert fake.slept == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 0.5]


def test_jitter_spreads_delays_below_the_ceiling() -> None:
    backoff = Backoff(base=1.0, cap=8.0)
    delays = [backoff.next_delay() for _ in range(200)]

    assert all(0 <= delay <= 8.0 for delay in delays)
    assert len(set(delays)) > 150  # no two pollers march in step


def test_the_deadline_ends_the_wait_with_a_message_naming_it() -> None:
    fake = FakeTime()
    backoff = Backoff(
        base=1.0, cap=2.0, timeout=5, what="relay-demo to settle", sleep=fake.sleep, clock=fake.clock
    )

    with pytest.raises(RelayError, match=r"gave up waiting for relay-demo to settle after 5 s"):
        for _ in range(100):
            backoff.wait()
    assert sum(fake.slept) <= 5

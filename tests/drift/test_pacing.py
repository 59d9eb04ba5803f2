"""The drift scan's pace: it doubles while nothing is throttled, is cut at a throttle (once per
cooldown), then grows by a step, grows only while it holds stacks back, and keeps the in-flight cap."""

from __future__ import annotations

import threading

import pytest

from relay.drift.pacing import COOLDOWN, DECREASE, FIRST_RATE, INCREASE, AdaptivePace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _start(pace: AdaptivePace, count: int) -> None:
    """`count` stacks started back to back, each while the rate holds it back."""
    for _ in range(count):
        with pace.slot():
            pass


def test_the_rate_doubles_per_second_of_starts_until_a_throttle_then_is_cut() -> None:
    clock = Clock()
    pace = AdaptivePace(ceiling=64, clock=clock, sleep=clock.sleep)

    _start(pace, 5)  # the first start is not held back; the next four are
    assert pace.rate == FIRST_RATE + 4

    pace.throttled()
    assert pace.rate == pytest.approx((FIRST_RATE + 4) * DECREASE)
    pace.throttled()  # within the cooldown: the same excess
    assert pace.rate == pytest.approx((FIRST_RATE + 4) * DECREASE)
    assert pace.cuts == 1
    clock.now += COOLDOWN
    pace.throttled()
    assert pace.cuts == 2
    assert pace.lowest_rate == pytest.approx((FIRST_RATE + 4) * DECREASE**2)


def test_after_a_cut_a_second_of_starts_adds_a_step_of_the_rate_cut_from() -> None:
    clock = Clock()
    pace = AdaptivePace(ceiling=64, clock=clock, sleep=clock.sleep)
    _start(pace, 7)  # 10 starts a second
    pace.throttled()  # 7 a second, and a step of 1 per second from now on
    rate = pace.rate

    _start(pace, 7)  # about one second's worth of held-back starts

    assert pace.rate == pytest.approx(rate + INCREASE * 10, rel=0.05)


def test_the_rate_does_not_grow_while_stacks_arrive_slower_than_it() -> None:
    clock = Clock()
    pace = AdaptivePace(ceiling=64, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        clock.now += 1.0  # far slower than the rate allows: nothing is held back
        _start(pace, 1)
    assert pace.rate == FIRST_RATE


def test_no_more_than_the_ceiling_are_in_flight() -> None:
    clock = Clock()
    pace = AdaptivePace(ceiling=2, clock=clock, sleep=clock.sleep)
    inside = threading.Semaphore(0)
    release = threading.Event()
    most = 0
    lock = threading.Lock()
    active = 0

    def work() -> None:
        nonlocal most, active
        with pace.slot():
            with lock:
                active += 1
                most = max(most, active)
            inside.release()
            release.wait(5)
            with lock:
                active -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    inside.acquire(timeout=5)
    inside.acquire(timeout=5)
    assert not inside.acquire(timeout=0.3)  # the third waits for a slot
    release.set()
    for thread in threads:
        thread.join(5)
    assert most == 2

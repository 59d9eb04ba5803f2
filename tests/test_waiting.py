"""Waiting on AWS: jittered capped pauses, a deadline that names what it awaited, boto3 waiters bounded by
our timeout, and the throttling retry (a fake clock and botocore's Stubber: nothing really sleeps long)."""

from __future__ import annotations

from itertools import islice
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from relay.errors import RelayError
from relay.waiting import Backoff, Throttled, TimedOut, pauses, retry_throttled, wait_for, wait_with


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def at_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jitter that always draws its upper bound, so each pause is exactly its ceiling."""
    monkeypatch.setattr("relay.waiting.random.uniform", lambda low, high: high)


def test_pauses_start_short_and_double_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    at_ceiling(monkeypatch)
    assert list(islice(pauses(0.5, 4.0), 6)) == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert list(islice(pauses(1.0, 0.25), 2)) == [0.25, 0.25]  # a cap below the first pause wins


def test_each_pause_is_drawn_between_zero_and_its_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    bounds: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        bounds.append((low, high))
        return high

    monkeypatch.setattr("relay.waiting.random.uniform", uniform)
    list(islice(pauses(0.25, 1.0), 4))

    assert bounds == [(0, 0.25), (0, 0.5), (0, 1.0), (0, 1.0)]  # full jitter: on average half the ceiling


def test_jitter_spreads_pauses_so_pollers_do_not_march_in_step() -> None:
    drawn = list(islice(pauses(8.0, 8.0), 200))

    assert all(0.0 <= pause <= 8.0 for pause in drawn)
    assert len(set(drawn)) > 150


def test_progress_makes_the_backoff_poll_briskly_again(monkeypatch: pytest.MonkeyPatch) -> None:
    at_ceiling(monkeypatch)
    fake = FakeTime()
    backoff = Backoff("relay-demo to settle", 1000, first=0.5, cap=4.0, sleep=fake.sleep, clock=fake.clock)

    for _ in range(4):
        backoff.pause("UPDATE_IN_PROGRESS")
    backoff.reset()
    backoff.pause("UPDATE_IN_PROGRESS")

    assert fake.slept == [0.5, 1.0, 2.0, 4.0, 0.5]


def test_the_deadline_names_what_was_awaited_the_last_value_and_the_hint() -> None:
    fake = FakeTime()
    backoff = Backoff(
        "relay-demo to settle", 5, first=1.0, cap=2.0, hint="re-run", sleep=fake.sleep, clock=fake.clock
    )

    with pytest.raises(TimedOut) as raised:
        backoff.until(lambda: (False, "UPDATE_IN_PROGRESS"))

    assert raised.value.message == (
        "timed out after 5 s waiting for relay-demo to settle (last seen: UPDATE_IN_PROGRESS); re-run"
    )
    assert sum(fake.slept) == 5  # the last poll is at the deadline, never past it
    assert isinstance(raised.value, RelayError)  # the CLI prints it as any other error


def test_wait_for_returns_what_the_check_saw_when_done() -> None:
    answers = iter([(False, 0), (False, 1), (True, 2)])

    assert wait_for(lambda: next(answers), what="two instances", timeout=10, first=0.001, cap=0.001) == 2


def rds_stubbed() -> tuple[Any, Stubber]:
    rds = boto3.client(
        "rds", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    return rds, Stubber(rds)


def instance(status: str) -> dict[str, Any]:
    return {"DBInstances": [{"DBInstanceIdentifier": "relay-demo", "DBInstanceStatus": status}]}


def test_a_boto3_waiter_is_polled_briskly_first_then_at_most_the_cap_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at_ceiling(monkeypatch)
    fake = FakeTime()
    rds, stubber = rds_stubbed()
    for status in ("creating", "creating", "backing-up", "backing-up", "modifying", "available"):
        stubber.add_response("describe_db_instances", instance(status))

    with stubber:
        wait_with(
            rds,
            "db_instance_available",
            DBInstanceIdentifier="relay-demo",
            what="relay-demo",
            timeout=600,
            first=0.25,
            cap=2.0,
            sleep=fake.sleep,
            clock=fake.clock,
        )
    stubber.assert_no_pending_responses()
    # Not the waiter's own 30 s between polls: the first answer seen a quarter second later.
    assert fake.slept == [0.25, 0.5, 1.0, 2.0, 2.0]


def test_a_waiter_that_runs_out_of_time_times_out_like_any_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    at_ceiling(monkeypatch)
    fake = FakeTime()
    rds, stubber = rds_stubbed()
    for _ in range(3):
        stubber.add_response("describe_db_instances", instance("creating"))

    with stubber, pytest.raises(TimedOut) as raised:
        wait_with(
            rds,
            "db_instance_available",
            DBInstanceIdentifier="relay-demo",
            what="replica relay-demo to be available",
            timeout=2,
            first=1.0,
            cap=1.0,
            sleep=fake.sleep,
            clock=fake.clock,
        )
    assert raised.value.message == (
        "timed out after 2 s waiting for replica relay-demo to be available (last seen: ['creating'])"
    )
    assert sum(fake.slept) == 2  # polled at 0, 1 and 2 s, then gave up at the deadline
    stubber.assert_no_pending_responses()


def test_a_final_state_ends_a_waiter_at_once_with_what_it_saw() -> None:
    rds, stubber = rds_stubbed()
    stubber.add_response("describe_db_instances", instance("deleting"))

    with (
        stubber,
        pytest.raises(
            RelayError, match=r"gave up waiting for relay-demo: terminal .*\(last seen: \['deleting'\]\)"
        ),
    ):
        wait_with(
            rds, "db_instance_available", DBInstanceIdentifier="relay-demo", what="relay-demo", timeout=60
        )


def throttling() -> ClientError:
    return ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "DescribeStacks")


def test_throttling_is_retried_with_pauses_and_other_errors_are_not() -> None:
    fake = FakeTime()
    answers: list[Any] = [throttling(), throttling(), "done"]

    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert retry_throttled(call, sleep=fake.sleep) == "done"
    assert len(fake.slept) == 2

    def refused() -> str:
        raise ClientError({"Error": {"Code": "ValidationError", "Message": "no"}}, "DescribeStacks")

    with pytest.raises(ClientError):
        retry_throttled(refused, sleep=fake.sleep)
    assert len(fake.slept) == 2


def test_throttling_that_outlasts_every_attempt_is_throttled() -> None:
    fake = FakeTime()

    def always() -> str:
        raise throttling()

    with pytest.raises(Throttled, match="throttled after 3 attempts"):
        retry_throttled(always, attempts=3, sleep=fake.sleep)
    assert len(fake.slept) == 2

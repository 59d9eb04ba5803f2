"""EventStream's bookkeeping: children found from their parent's events, settled children left alone.

The emulator runs a whole operation within one call, so the polling schedule is shown here against a
recorded CloudFormation: a dict of events per stack, newest first, as DescribeStackEvents pages them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from relay.stacks.events import EventStream

ROOT = "arn:aws:cloudformation:us-east-1:123456789012:stack/relay-demo/1"
CHILD = "arn:aws:cloudformation:us-east-1:123456789012:stack/relay-demo-Data-X/2"
STACK = "AWS::CloudFormation::Stack"


class RecordedCloudFormation:
    def __init__(self) -> None:
        self.events: dict[str, list[dict[str, Any]]] = {ROOT: [], CHILD: []}
        self.reads: list[str] = []
        self._ids = itertools.count()
        self._clock = datetime(2026, 11, 25, tzinfo=UTC)

    def add(self, stack_id: str, logical_id: str, status: str, physical: str = "", reason: str = "") -> None:
        self._clock += timedelta(seconds=1)
        event = {"EventId": str(next(self._ids)), "Timestamp": self._clock, "LogicalResourceId": logical_id,
                 "PhysicalResourceId": physical, "ResourceType": STACK, "ResourceStatus": status,
                 "ResourceStatusReason": reason}  # fmt: skip
        self.events[stack_id].insert(0, event)

    def get_paginator(self, name: str) -> RecordedCloudFormation:
        assert name == "describe_stack_events"
        return self

    def paginate(self, StackName: str) -> list[dict[str, Any]]:
        self.reads.append(StackName)
        return [{"StackEvents": list(self.events[StackName])}]


def test_children_are_polled_while_busy_and_again_when_their_parent_touches_them() -> None:
    cfn = RecordedCloudFormation()
    cfn.add(ROOT, "relay-demo", "UPDATE_COMPLETE", ROOT)  # the previous operation
    stream = EventStream(cfn, ROOT)
    stream.mark()

    cfn.add(ROOT, "relay-demo", "UPDATE_IN_PROGRESS", ROOT)
    cfn.add(ROOT, "Data", "UPDATE_IN_PROGRESS", CHILD)
    cfn.add(CHILD, "relay-demo-Data-X", "UPDATE_IN_PROGRESS", CHILD)
    assert [event.logical_id for event in stream.poll()] == ["relay-demo", "Data"]
    assert stream.stacks[CHILD] == "relay-demo/Data"

    cfn.add(CHILD, "relay-demo-Data-X", "UPDATE_COMPLETE", CHILD)
    assert [(event.stack, event.status) for event in stream.poll()] == [
        ("relay-demo/Data", "UPDATE_IN_PROGRESS"),
        ("relay-demo/Data", "UPDATE_COMPLETE"),
    ]

    cfn.reads.clear()
    stream.poll()
    assert cfn.reads == [ROOT]  # the settled child costs nothing

    cfn.add(ROOT, "Data", "UPDATE_ROLLBACK_IN_PROGRESS", CHILD)
    cfn.add(CHILD, "relay-demo-Data-X", "UPDATE_ROLLBACK_IN_PROGRESS", CHILD)
    stream.poll()
    assert [event.status for event in stream.poll()] == ["UPDATE_ROLLBACK_IN_PROGRESS"]


def test_a_child_named_only_in_a_failure_reason_is_still_read_for_the_first_failure() -> None:
    cfn = RecordedCloudFormation()
    stream = EventStream(cfn, ROOT)
    stream.mark()
    cfn.add(CHILD, "Db", "CREATE_FAILED", "", "DBInstanceIdentifier is too long")
    cfn.add(ROOT, "Data", "CREATE_FAILED", "", f"Embedded stack {CHILD} was not successfully created: [Db].")

    stream.poll()
    stream.poll()

    failure = stream.first_failure()
    assert failure is not None
    assert (failure.stack, failure.logical_id, failure.reason) == (
        "relay-demo/Data",
        "Db",
        "DBInstanceIdentifier is too long",
    )

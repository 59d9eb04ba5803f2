"""Follow a stack operation: the events of the root and of every nested stack, live, until it ends."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from relay.stacks.templates import NESTED_STACK_TYPE
from relay.stacks.tree import name_from_id, stack_tree
from relay.waiting import Backoff

EMBEDDED_STACK = re.compile(r"arn:aws[\w-]*:cloudformation:[\w-]+:\d+:stack/[^/\s]+/[\w-]+")
SUCCEEDED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE", "IMPORT_COMPLETE"})
GAVE_UP_HINT = "check the AWS console or `relay stack outputs`, then re-run (or raise --timeout)"


@dataclass(frozen=True)
class StackEvent:
    """One line of the operation's story."""

    timestamp: datetime
    stack: str
    logical_id: str
    resource_type: str
    status: str
    reason: str
    is_stack_itself: bool

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")


def is_finished(status: str) -> bool:
    """Done, well or badly (REVIEW_IN_PROGRESS, before a change set starts, counts as not done)."""
    return not status.endswith("_IN_PROGRESS")


class EventStream:
    """New events of a stack tree since `mark()`: nested stacks are found as their events appear."""

    def __init__(self, cfn: Any, stack_id: str) -> None:
        self.cfn = cfn
        self.root_id = stack_id
        self.stacks: dict[str, str] = {stack_id: name_from_id(stack_id)}  # id -> path shown
        self.seen: set[str] = set()
        self.since: datetime | None = None
        self.events: list[StackEvent] = []
        # Nested stacks whose own last event ended their operation: not polled again until their parent
        # reports on them (a rollback), which keeps the calls per poll near the number of busy stacks.
        self.settled: set[str] = set()

    def mark(self) -> None:
        """Remember what already happened, so only this operation's events are reported."""
        for raw in self._newest_first(self.root_id):
            self.seen.add(raw["EventId"])
            if self.since is None or raw["Timestamp"] > self.since:
                self.since = raw["Timestamp"]

    def poll(self) -> list[StackEvent]:
        """Events that appeared since the last call, oldest first."""
        fresh: list[StackEvent] = []
        for stack_id in [stack for stack in self.stacks if stack not in self.settled]:
            new = [raw for raw in self._newest_first(stack_id) if raw["EventId"] not in self.seen]
            for raw in reversed(new):
                self.seen.add(raw["EventId"])
                fresh.append(self._event(stack_id, raw))
        fresh.sort(key=lambda event: event.timestamp)
        self.events.extend(fresh)
        return fresh

    def discover(self) -> None:
        """Find nested stacks through their resources (for backends that send no resource events)."""
        for node in stack_tree(self.cfn, self.root_id, self.stacks[self.root_id]).walk()[1:]:
            self.stacks.setdefault(node.stack_id, node.label)

    def first_failure(self) -> StackEvent | None:
        """The earliest failed event with a reason: the cause; later failures are its consequences."""
        failures = [event for event in self.events if event.failed and event.reason]
        return min(failures, key=lambda event: event.timestamp) if failures else None

    def explain_failure(self) -> str:
        """One line for the error message: the first failure, or where to look when none says why."""
        failure = self.first_failure()
        if failure is None:
            return "no failed event explains it; see the stack's events in the console"
        return (
            f"first failure: {failure.stack}/{failure.logical_id} ({failure.resource_type}) "
            f"{failure.status}: {failure.reason}"
        )

    def _newest_first(self, stack_id: str) -> Iterator[dict[str, Any]]:
        """Events from the newest back to the first already seen (or older than the mark)."""
        try:
            pages = self.cfn.get_paginator("describe_stack_events").paginate(StackName=stack_id)
            for page in pages:
                for raw in page["StackEvents"]:
                    if raw["EventId"] in self.seen or (
                        self.since is not None and raw["Timestamp"] < self.since
                    ):
                        return
                    yield raw
        except ClientError as error:
            if "does not exist" not in str(error):
                raise

    def _event(self, stack_id: str, raw: dict[str, Any]) -> StackEvent:
        physical = raw.get("PhysicalResourceId", "")
        is_stack_itself = physical == stack_id
        if raw.get("ResourceType") == NESTED_STACK_TYPE and not is_stack_itself:
            # A child that fails fast may name itself only in the reason ("Embedded stack <arn> was not ...").
            child = (
                physical if physical.startswith("arn:") else _embedded_stack(raw.get("ResourceStatusReason"))
            )
            if child:
                self.stacks.setdefault(child, f"{self.stacks[stack_id]}/{raw['LogicalResourceId']}")
                self.settled.discard(child)
        elif is_stack_itself and stack_id != self.root_id and is_finished(raw.get("ResourceStatus", "")):
            self.settled.add(stack_id)
        return StackEvent(
            timestamp=raw["Timestamp"],
            stack=self.stacks[stack_id],
            logical_id=raw.get("LogicalResourceId", ""),
            resource_type=raw.get("ResourceType", ""),
            status=raw.get("ResourceStatus", ""),
            reason=raw.get("ResourceStatusReason", "") or "",
            is_stack_itself=is_stack_itself,
        )


def follow(
    cfn: Any,
    stream: EventStream,
    backoff: Backoff,
    on_events: Callable[[list[StackEvent]], None],
) -> str:
    """Poll until the root stack stops being in progress; return its final status.

    Not boto3's stack waiters: the events are shown as they happen, and progress resets the backoff.
    """
    while True:
        status = cfn.describe_stacks(StackName=stream.root_id)["Stacks"][0]["StackStatus"]
        fresh = stream.poll()
        if fresh:
            on_events(fresh)
            backoff.reset()
        if is_finished(status):
            stream.discover()
            on_events(stream.poll())
            return str(status)
        backoff.pause(status)


def stack_backoff(what: str, timeout: float) -> Backoff:
    """Polls of CloudFormation, which throttles DescribeStackEvents and DescribeChangeSet per account:
    a fixed-rate poll across many nested stacks and two regions is exactly the storm that gets throttled."""
    return Backoff(what, timeout, first=0.5, hint=GAVE_UP_HINT)


def _embedded_stack(reason: str | None) -> str:
    match = EMBEDDED_STACK.search(reason or "")
    return match.group(0) if match else ""

"""Change sets: create one (nested stacks included), wait for it, read it as a tree, delete it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from relay.contract import environment_of
from relay.errors import RelayError
from relay.stacks.templates import NESTED_STACK_TYPE
from relay.waiting import Backoff

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
# AWS's words for "nothing to do": a FAILED change set with the first, a refused update with the second.
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass(frozen=True)
class PropertyChange:
    """One changed property as AWS describes it with IncludePropertyValues: path, old and new value."""

    path: str
    change_type: str
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class ResourceChange:
    """One row of the preview; `stack` is the path from the root, e.g. `relay-prod/Data`."""

    stack: str
    action: str
    logical_id: str
    resource_type: str
    replacement: str = ""
    physical_id: str = ""
    properties: tuple[PropertyChange, ...] = ()

    @property
    def is_nested_stack(self) -> bool:
        return self.resource_type == NESTED_STACK_TYPE


@dataclass
class ChangeSet:
    """A created change set: its id, type, and every change of the root and nested stacks."""

    id: str
    stack_id: str
    stack_name: str
    change_set_type: str
    changes: list[ResourceChange] = field(default_factory=list)
    empty: bool = False

    @property
    def resource_changes(self) -> list[ResourceChange]:
        """The changes to real resources: nested-stack rows only say that a child changes."""
        return [change for change in self.changes if not change.is_nested_stack]


def change_set_type(stack: dict[str, Any] | None) -> str:
    """CREATE for a new stack (or one only ever reviewed, never executed), UPDATE otherwise."""
    if stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS":
        return "CREATE"
    if stack["StackStatus"] == "ROLLBACK_COMPLETE":  # AWS can neither update nor re-create it
        name, region = stack["StackName"], stack["StackId"].split(":")[3]
        raise RelayError(
            f"stack {name} in {region} failed its first creation and rolled back (ROLLBACK_COMPLETE); it "
            f"cannot be updated: delete it with `relay stack delete --env {environment_of(name) or name} "
            f"--region {region} --yes`, then deploy again"
        )
    return "UPDATE"


def create_change_set(
    cfn: Any,
    stack_name: str,
    kind: str,
    parameters: list[dict[str, Any]],
    *,
    template_url: str | None = None,
    backoff: Backoff,
    tags: dict[str, str] | None = None,
) -> ChangeSet:
    """Create the change set (UsePreviousTemplate when no URL is given) and wait until it is described."""
    name = f"relay-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    optional: dict[str, Any] = (
        {"TemplateURL": template_url} if template_url else {"UsePreviousTemplate": True}
    )
    if tags is not None:  # left out, the stack keeps its tags
        optional["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    try:
        created = cfn.create_change_set(
            StackName=stack_name,
            ChangeSetName=name,
            ChangeSetType=kind,
            Parameters=parameters,
            Capabilities=CAPABILITIES,
            IncludeNestedStacks=True,
            **optional,
        )
    except ClientError as error:
        message = error.response["Error"].get("Message", str(error))
        if any(marker in message for marker in NO_CHANGES):
            return ChangeSet(id="", stack_id="", stack_name=stack_name, change_set_type=kind, empty=True)
        raise RelayError(f"CloudFormation refused the change set for {stack_name}: {message}") from error
    change_set = ChangeSet(
        id=created["Id"], stack_id=created["StackId"], stack_name=stack_name, change_set_type=kind
    )
    description = _wait_until_created(cfn, change_set.id, backoff)
    if description["Status"] == "FAILED":
        reason = description.get("StatusReason", "")
        if any(marker in reason for marker in NO_CHANGES):
            change_set.empty = True
            return change_set
        raise RelayError(f"the change set for {stack_name} failed: {reason or 'no reason given'}")
    change_set.changes = list(_changes(cfn, change_set.id, stack_name))
    return change_set


def _wait_until_created(cfn: Any, change_set_id: str, backoff: Backoff) -> dict[str, Any]:
    """The change set once CloudFormation is done with it. Not boto3's waiter: FAILED is an answer here
    ("no changes") whose description is needed, where the waiter would only raise."""
    while True:
        description: dict[str, Any] = cfn.describe_change_set(ChangeSetName=change_set_id)
        if description["Status"] in ("CREATE_COMPLETE", "FAILED", "DELETE_COMPLETE"):
            return description
        backoff.pause(description["Status"])


def _pages(cfn: Any, change_set_id: str) -> Iterator[dict[str, Any]]:
    """DescribeChangeSet pages (boto3 has no paginator for it)."""
    token: str | None = None
    while True:
        page: dict[str, Any] = cfn.describe_change_set(
            ChangeSetName=change_set_id,
            IncludePropertyValues=True,
            **({"NextToken": token} if token else {}),
        )
        yield page
        token = page.get("NextToken")
        if not token:
            return


def _changes(cfn: Any, change_set_id: str, path: str) -> Iterator[ResourceChange]:
    """Every change of this change set, then (depth first) those of each nested stack's change set."""
    for page in _pages(cfn, change_set_id):
        for change in page.get("Changes", []):
            detail = change.get("ResourceChange", {})
            row = ResourceChange(
                stack=path,
                action=detail.get("Action", ""),
                logical_id=detail.get("LogicalResourceId", ""),
                resource_type=detail.get("ResourceType", ""),
                replacement=str(detail.get("Replacement", "")),
                physical_id=detail.get("PhysicalResourceId", ""),
                properties=_property_changes(detail.get("Details", [])),
            )
            yield row
            nested = detail.get("ChangeSetId")
            if row.is_nested_stack and nested:
                yield from _changes(cfn, nested, f"{path}/{row.logical_id}")


def _property_changes(details: list[dict[str, Any]]) -> tuple[PropertyChange, ...]:
    """One entry per changed path (AWS repeats a path once per cause); details without a path are skipped."""
    found: dict[str, PropertyChange] = {}
    for detail in details:
        target = detail.get("Target", {})
        path = target.get("Path")
        if path and path not in found:
            found[path] = PropertyChange(
                path,
                target.get("AttributeChangeType", ""),
                target.get("BeforeValue"),
                target.get("AfterValue"),
            )
    return tuple(found.values())


def delete_change_set(cfn: Any, change_set: ChangeSet) -> None:
    """Remove a change set that will not run; a CREATE one also leaves an empty stack to remove."""
    if not change_set.id:
        return
    cfn.delete_change_set(ChangeSetName=change_set.id)
    if change_set.change_set_type == "CREATE":
        cfn.delete_stack(StackName=change_set.stack_id)

"""Find the stacks to scan: root stacks of a region, and every nested stack under each, recursively."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from relay.errors import RelayError
from relay.waiting import retry_throttled

NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
# Stacks whose resources exist and can drift; deleted, failed-create and review-only ones cannot.
SCANNABLE = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    }
)


@dataclass
class StackNode:
    """A stack, its resources, and its nested children (by the logical id the parent gives them)."""

    name: str
    stack_id: str
    path: list[str]
    resources: list[dict[str, Any]] = field(default_factory=list)
    children: list[StackNode] = field(default_factory=list)

    def walk(self) -> list[StackNode]:
        """This stack then every descendant, depth first (the order reports show them in)."""
        return [self, *(node for child in self.children for node in child.walk())]


def list_resources(cfn: Any, stack_id: str) -> list[dict[str, Any]]:
    pages = cfn.get_paginator("list_stack_resources").paginate(StackName=stack_id)
    return retry_throttled(lambda: [summary for page in pages for summary in page["StackResourceSummaries"]])


def describe(cfn: Any, name: str) -> dict[str, Any] | None:
    """The stack called `name` (or with that id), or None when it does not exist."""
    try:
        stacks = retry_throttled(lambda: cfn.describe_stacks(StackName=name)["Stacks"])
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return stacks[0] if stacks else None


def tree(cfn: Any, name: str, stack_id: str, path: list[str] | None = None) -> StackNode:
    """The stack and its nested stacks; a child is found through its parent's stack resource."""
    node = StackNode(name=name, stack_id=stack_id, path=path or [])
    node.resources = list_resources(cfn, stack_id)
    for resource in node.resources:
        if resource["ResourceType"] != NESTED_STACK_TYPE or not resource.get("PhysicalResourceId"):
            continue
        child = describe(cfn, resource["PhysicalResourceId"])
        if child is None:
            continue
        child_path = (
            [*node.path, resource["LogicalResourceId"]]
            if node.path
            else [name, resource["LogicalResourceId"]]
        )
        node.children.append(tree(cfn, child["StackName"], child["StackId"], child_path))
    return node


def all_stacks(cfn: Any) -> list[dict[str, Any]]:
    pages = cfn.get_paginator("describe_stacks").paginate()
    found = retry_throttled(lambda: [stack for page in pages for stack in page["Stacks"]])
    return [stack for stack in found if stack["StackStatus"] in SCANNABLE]


def named_stacks(cfn: Any, names: list[str], region: str) -> list[dict[str, Any]]:
    found = []
    for name in names:
        stack = describe(cfn, name)
        if stack is None:
            raise RelayError(
                f"stack {name} does not exist in {region}; check the name with `relay stack outputs`"
            )
        found.append(stack)
    return found


def drop_nested(trees: list[StackNode]) -> list[StackNode]:
    """Keep roots only: a stack that appears under another one is reported under that root.

    ParentId says so on AWS; the check by tree also covers backends that omit ParentId.
    """
    nested = {key for node in trees for child in node.walk()[1:] for key in (child.name, child.stack_id)}
    return [node for node in trees if node.stack_id not in nested and node.name not in nested]

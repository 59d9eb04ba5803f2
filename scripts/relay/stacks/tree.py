"""A stack and every stack nested under it, as one tree: CloudFormation lists one level per call.

`relay stack delete` lists what would go, the event stream finds the children to follow, and drift
checks each stack of the tree: all three walk it here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from relay.stacks.templates import NESTED_STACK_TYPE
from relay.waiting import retry_throttled


@dataclass
class StackNode:
    """A stack, its resources, and its nested stacks (each found through its parent's stack resource)."""

    name: str
    stack_id: str
    path: tuple[str, ...]  # the root's name, then the logical ids down to this stack
    resources: list[dict[str, Any]] = field(default_factory=list)
    children: list[StackNode] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The stack as people read it: `relay-prod/Data`."""
        return "/".join(self.path)

    @property
    def is_root(self) -> bool:
        return len(self.path) == 1

    def walk(self) -> list[StackNode]:
        """This stack then every descendant, depth first (the order reports show them in)."""
        return [self, *(node for child in self.children for node in child.walk())]

    def rows(self) -> Iterator[tuple[StackNode, dict[str, Any]]]:
        """Every resource of the tree with its stack; a nested stack's resources follow the row holding it."""
        by_logical_id = {child.path[-1]: child for child in self.children}
        for resource in self.resources:
            yield self, resource
            child = by_logical_id.get(resource["LogicalResourceId"])
            if child is not None:
                yield from child.rows()


def stack_tree(cfn: Any, stack_id: str, name: str) -> StackNode:
    """The stack and its nested stacks: a vanished stack has no resources, a vanished child is left out."""
    root = StackNode(name, stack_id, (name,), _resources(cfn, stack_id) or [])
    _add_children(cfn, root)
    return root


def name_from_id(stack_id: str) -> str:
    """`arn:...:stack/relay-prod-Data-X1/uuid` -> `relay-prod-Data-X1` (a name is kept as it is)."""
    parts = stack_id.split("/")
    return parts[1] if len(parts) >= 3 else stack_id


def _add_children(cfn: Any, node: StackNode) -> None:
    for resource in node.resources:
        child_id = resource.get("PhysicalResourceId", "")
        if resource["ResourceType"] != NESTED_STACK_TYPE or not child_id.startswith("arn:"):
            continue
        resources = _resources(cfn, child_id)
        if resources is None:
            continue
        child = StackNode(
            name_from_id(child_id), child_id, (*node.path, resource["LogicalResourceId"]), resources
        )
        node.children.append(child)
        _add_children(cfn, child)


def _resources(cfn: Any, stack_id: str) -> list[dict[str, Any]] | None:
    """The stack's resource summaries, or None when the stack does not exist (any more)."""

    def listed() -> list[dict[str, Any]]:
        pages = cfn.get_paginator("list_stack_resources").paginate(StackName=stack_id)
        return [summary for page in pages for summary in page["StackResourceSummaries"]]

    try:
        return retry_throttled(listed)
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise

"""Find the stacks to scan: root stacks of a region, and every nested stack under each (relay.stacks.tree)."""

from __future__ import annotations

from functools import partial
from typing import Any

from relay.contract import describe_stack
from relay.errors import RelayError
from relay.stacks.tree import StackNode
from relay.waiting import retry_throttled

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


def all_stacks(cfn: Any) -> list[dict[str, Any]]:
    pages = cfn.get_paginator("describe_stacks").paginate()
    found = retry_throttled(lambda: [stack for page in pages for stack in page["Stacks"]])
    return [stack for stack in found if stack["StackStatus"] in SCANNABLE]


def named_stacks(cfn: Any, names: list[str], region: str) -> list[dict[str, Any]]:
    found = []
    for name in names:
        stack = retry_throttled(partial(describe_stack, cfn, name))
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

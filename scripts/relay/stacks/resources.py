"""Walk a stack tree's resources, nested stacks included (CloudFormation lists one level per call)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from relay.stacks.templates import NESTED_STACK_TYPE


def walk(cfn: Any, stack_id: str, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(stack path, resource summary) for every resource, depth first; a vanished stack yields nothing."""
    try:
        pages = cfn.get_paginator("list_stack_resources").paginate(StackName=stack_id)
        summaries = [summary for page in pages for summary in page["StackResourceSummaries"]]
    except ClientError as error:
        if "does not exist" in str(error):
            return
        raise
    for summary in summaries:
        yield path, summary
        child = summary.get("PhysicalResourceId", "")
        if summary["ResourceType"] == NESTED_STACK_TYPE and child.startswith("arn:"):
            yield from walk(cfn, child, f"{path}/{summary['LogicalResourceId']}")

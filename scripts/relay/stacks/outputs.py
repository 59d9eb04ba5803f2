"""Read a stack's outputs: the contract other parts consume (docs/interfaces.md, "Root stack outputs")."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.errors import RelayError


def describe_stack(cfn: Any, stack_name: str) -> dict[str, Any] | None:
    """The stack's description, or None when no such stack exists (a deleted one counts as absent)."""
    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    live = [stack for stack in stacks if stack["StackStatus"] != "DELETE_COMPLETE"]
    return live[0] if live else None


def require_stack(cfn: Any, stack_name: str) -> dict[str, Any]:
    """The stack's description; a missing stack is an error that says how to create it."""
    stack = describe_stack(cfn, stack_name)
    if stack is None:
        region = cfn.meta.region_name
        raise RelayError(
            f"stack {stack_name} does not exist in {region}; deploy it first with "
            f"`relay stack deploy --env {stack_name.removeprefix('relay-')} --region {region}`"
        )
    return stack


def read_outputs(cfn: Any, stack_name: str) -> dict[str, str]:
    """The stack's outputs as {OutputKey: OutputValue}."""
    stack = require_stack(cfn, stack_name)
    return {output["OutputKey"]: output.get("OutputValue", "") for output in stack.get("Outputs", [])}

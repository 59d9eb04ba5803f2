"""Delete a root stack: never while termination protection is on, never without a confirmation."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from relay.aws import AwsFactory
from relay.console import err, say
from relay.contract import require_stack
from relay.errors import RelayError
from relay.stacks import render
from relay.stacks.events import EventStream, StackEvent, follow, stack_backoff
from relay.stacks.prompt import Ask, ask
from relay.stacks.target import resolve_target
from relay.stacks.tree import stack_tree

DRY_RUN = "DRY_RUN"


def delete(
    aws: AwsFactory,
    env: str,
    region: str,
    *,
    yes: bool = False,
    cfn_dir: Path | None = None,
    timeout: float = 3600.0,
    confirm: Ask = ask,
    console: Console = err,
) -> str:
    """Delete `relay-<env>` in `region` and wait; without `yes` show what would go and ask (or dry-run)."""
    target = resolve_target(env, region, cfn_dir)
    cfn = aws.client("cloudformation", region)
    stack = require_stack(cfn, target.stack_name)
    if stack.get("EnableTerminationProtection"):
        raise RelayError(
            f"refusing to delete {target}: termination protection is on. If deleting it is really intended, "
            f"set TerminationProtection to false in {target.params_file.name}, then lift it with "
            f"`aws cloudformation update-termination-protection --no-enable-termination-protection "
            f"--stack-name {target.stack_name} --region {region}` and run this again"
        )
    rows = [
        (
            node.label,
            resource["LogicalResourceId"],
            resource["ResourceType"],
            resource.get("PhysicalResourceId", ""),
        )
        for node, resource in stack_tree(cfn, stack["StackId"], target.stack_name).rows()
    ]
    console.print(render.resources_table(target.stack_name, rows))
    if not yes:
        answer = confirm(f"Delete {target} and the {len(rows)} resources above?")
        if answer is None:
            say(f"dry run: nothing deleted; re-run with --yes to delete {target}")
            return DRY_RUN
        if not answer:
            raise RelayError(f"not deleted: declined; {target} is unchanged")
    stream = EventStream(cfn, stack["StackId"])
    stream.mark()
    stream.discover()
    cfn.delete_stack(StackName=stack["StackId"])
    status = follow(cfn, stream, stack_backoff(f"{target.stack_name} to be deleted", timeout), _print_events)
    if status != "DELETE_COMPLETE":
        raise RelayError(f"deleting {target} ended {status}; {stream.explain_failure()}")
    say(f"[green]{target.stack_name} deleted in {region}[/]")
    return status


def _print_events(events: list[StackEvent]) -> None:
    for event in events:
        say(render.event_line(event))

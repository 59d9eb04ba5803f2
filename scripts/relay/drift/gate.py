"""The deploy gate: `relay stack deploy` refuses to deploy over drift (unless --allow-drift).

Deploying over drift silently reverts the out-of-band change, or fails half-way; either way someone
should look first. Template drift does not block: a deploy exists to change the template. Drift that
an ignore rule accepts does not block either: the gate applies the rules `relay drift` applies.
"""

from __future__ import annotations

from relay.aws import AwsFactory
from relay.contract import describe_stack
from relay.drift.ignore import IgnoreRule
from relay.drift.model import DRIFTED, EXIT_DRIFT, NOT_CHECKED
from relay.drift.scan import ScanOptions, scan_region
from relay.errors import RelayError


def check(aws: AwsFactory, region: str, stack_name: str, ignore_rules: tuple[IgnoreRule, ...] = ()) -> None:
    """Return when the stack (nested ones included) is in sync, once `ignore_rules` are applied, or does
    not exist yet; raise otherwise."""
    if describe_stack(aws.client("cloudformation", region), stack_name) is None:
        return  # first deploy: nothing can have drifted
    options = ScanOptions(stacks=(stack_name,), ignore_rules=ignore_rules, templates=None)
    [report] = scan_region(aws, region, options, lambda _message: None)
    rescan = f"`relay drift --stack {stack_name} --region {region}`"
    if report.status == DRIFTED:
        drifted = [
            f"{stack.label}/{resource.logical_id}"
            for stack in report.stacks
            for resource in stack.resources
            if resource.drifted
        ]
        raise RelayError(
            f"stack {stack_name} in {region} has drifted ({', '.join(drifted)}): see {rescan}, revert the "
            "change or add an ignore rule, or deploy over it with --allow-drift",
            exit_code=EXIT_DRIFT,
        )
    if report.status == NOT_CHECKED:
        reasons = sorted({stack.reason for stack in report.stacks if stack.status == NOT_CHECKED})
        raise RelayError(
            f"could not check stack {stack_name} in {region} for drift ({'; '.join(reasons)}); "
            f"retry, see {rescan}, or deploy with --allow-drift"
        )

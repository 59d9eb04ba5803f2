"""Recording a DR operation in the stacks: after a failover they are still the source of truth.

ARCHITECTURE.md decisions 4-6. Each record is a stack update with the previous template and parameter
overrides (the release's ActiveSlot write-back), changing only what differs, so a re-run finds nothing
to do.
"""

from __future__ import annotations

from rich.console import Console

from relay.contract import RootStack, capacity_parameter
from relay.dr.context import DrContext, Step, StepSkipped
from relay.stacks.deploy import deploy
from relay.vocabulary import SLOTS


def stack_changes(stack: RootStack | None, wanted: dict[str, str]) -> dict[str, str]:
    """The wanted parameter values the stack declares and does not hold yet."""
    if stack is None:
        return {}
    return {k: v for k, v in wanted.items() if k in stack.parameters and stack.parameters[k] != v}


def describe_changes(region: str, changes: dict[str, str]) -> str:
    return f"{region}: " + ", ".join(f"{k}={v or chr(34) * 2}" for k, v in changes.items())


def write_stack(
    ctx: DrContext, region: str, changes: dict[str, str], *, allow_replacement: bool = False
) -> str:
    """Update `relay-<env>` in `region`: previous template, these parameters changed, every other kept."""
    deploy(
        ctx.aws,
        ctx.env,
        region,
        parameter_overrides=changes,
        use_previous_template=True,
        yes=True,
        allow_replacement=allow_replacement,
        allow_drift=True,  # what DR did through the APIs is drift until this update records it
        console=Console(stderr=True, quiet=True),
    )
    return describe_changes(region, changes)


def _new_primary_changes(ctx: DrContext) -> dict[str, str]:
    """docs/stacks.md: Role=primary with the source cleared (DbOrigin stays replica), the live slot's size."""
    return stack_changes(
        ctx.target,
        {
            "Role": "primary",
            "SourceDbInstanceArn": "",
            "SourceDbSecretArn": "",
            capacity_parameter(ctx.target.recorded_slot): str(ctx.capacity),
        },
    )


def _stack_update_intent(region: str, changes: dict[str, str]) -> str:
    return f"update the stack in {describe_changes(region, changes)}" if changes else "nothing to record"


def _record_new_intent(ctx: DrContext) -> str:
    return _stack_update_intent(ctx.target_region, _new_primary_changes(ctx))


def record_new_primary(ctx: DrContext) -> str:
    """The new primary's stack says what it is: CloudFormation takes the promoted instance as its writer.

    Runs after `verify`: the writer serves before any bookkeeping, and with a hosted zone the stack's
    record turns PRIMARY only once the old region's record is SECONDARY (Route 53 takes one PRIMARY).
    """
    changes = _new_primary_changes(ctx)
    if not changes:
        raise StepSkipped(f"the stack in {ctx.target_region} already records the promotion")
    return write_stack(ctx, ctx.target_region, changes)


def _old_region_changes(ctx: DrContext) -> dict[str, str]:
    return stack_changes(ctx.source, {capacity_parameter(slot): "0" for slot in SLOTS})


def _record_old_intent(ctx: DrContext) -> str:
    if ctx.source is None:
        return f"mark {ctx.source_region}'s stack to reconcile at failback ({ctx.source_reason})"
    return _stack_update_intent(ctx.source_region, _old_region_changes(ctx))


def record_old_region(ctx: DrContext) -> str:
    """The fenced slots (size 0) in the old region's stack; its Role changes at failback, with its DB."""
    if ctx.source is None:
        ctx.journal.facts["reconcile_stacks"] = [ctx.source_region]
        raise StepSkipped(
            f"{ctx.source_reason}; its stack is reconciled by `relay dr failback` when the region answers"
        )
    changes = _old_region_changes(ctx)
    if not changes:
        raise StepSkipped(f"the stack in {ctx.source_region} already records the fenced slots")
    return write_stack(ctx, ctx.source_region, changes)


RECORD_OLD_REGION = Step(
    "record-old-region",
    "Record the fenced slots in the old stack",
    ("fence-writers",),
    _record_old_intent,
    record_old_region,
    restores_service=False,
)
RECORD_NEW_PRIMARY = Step(
    "record-new-primary",
    "Record the promotion in the new primary's stack",
    ("verify",),
    _record_new_intent,
    record_new_primary,
    restores_service=False,
)

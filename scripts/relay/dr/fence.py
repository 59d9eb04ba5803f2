"""Fencing the old region (ADR 0011 and its addendum on the database fence): its writer is made read-only
through its own DB parameter group before the replica is promoted, its app slots are emptied and drain
beside the promotion, and failback lifts the read-only setting once the old writer is gone.

`default_transaction_read_only` is a dynamic PostgreSQL parameter: RDS applies it without a reboot and
every session that did not set it itself (the app's pool included) takes it at its next transaction,
so a write is refused within seconds, whoever sends it. Draining the slots (a minute of deregistration
and instance shutdown) no longer holds up the promotion.
"""

from __future__ import annotations

from typing import Any

from relay.contract import RootStack
from relay.dr.context import DrContext, Step, StepSkipped
from relay.dr.journal import SKIPPED
from relay.dr.topology import describe_db, in_service, replica_lag
from relay.errors import RelayError
from relay.vocabulary import SLOTS
from relay.waiting import wait_for

READ_ONLY = "default_transaction_read_only"
FENCE_TIMEOUT_SECONDS = 300.0  # a dynamic parameter is applied within seconds; minutes mean RDS is stuck
DRAIN_TIMEOUT_SECONDS = 1200.0


def parameter_group(db: dict[str, Any]) -> str:
    """The instance's own DB parameter group: RDS refuses to modify a default one."""
    names = [group["DBParameterGroupName"] for group in db.get("DBParameterGroups", [])]
    if not names or names[0].startswith("default."):
        uses = names[0] if names else "no"
        raise RelayError(
            f"{db['DBInstanceIdentifier']} uses {uses} parameter group, which cannot be set read-only: "
            "give it a parameter group of its own (the data stack declares one)"
        )
    return str(names[0])


def _set_read_only(rds: Any, group: str, value: str) -> None:
    parameter = {"ParameterName": READ_ONLY, "ParameterValue": value, "ApplyMethod": "immediate"}
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[parameter])


def _read_only_value(rds: Any, group: str) -> str | None:
    paginator = rds.get_paginator("describe_db_parameters")
    for page in paginator.paginate(DBParameterGroupName=group, Source="user"):
        for parameter in page["Parameters"]:
            if parameter["ParameterName"] == READ_ONLY:
                return str(parameter.get("ParameterValue"))
    return None


def _applied(rds: Any, db_id: str) -> tuple[bool, str]:
    """RDS reports the instance's parameter group `in-sync` once the change is in effect."""
    db = describe_db(rds, db_id) or {}
    statuses = [group.get("ParameterApplyStatus", "") for group in db.get("DBParameterGroups", [])]
    return statuses == ["in-sync"], ", ".join(statuses) or "no parameter group"


# --- fence-writers ---------------------------------------------------------------------------------
def _fence_intent(ctx: DrContext) -> str:
    if ctx.source is None:
        return f"skip fencing: {ctx.source_reason}"
    slots = ", ".join(ctx.source.asg(slot) for slot in SLOTS)
    return (
        f"set {ctx.source.db_id} in {ctx.source_region} read-only ({READ_ONLY}=1 in its parameter group) "
        f"and scale the old region's slots to 0 ({slots})"
    )


def fence_writers(ctx: DrContext) -> str:
    """Nothing writes to the old database any more: it refuses writes; its app slots are told to empty."""
    if ctx.source is None:
        lag = replica_lag(ctx.client("cloudwatch"), ctx.target.db_id)
        ctx.journal.facts["lag_at_fence_seconds"] = lag
        raise StepSkipped(
            f"{ctx.source_reason}; Route 53 health checks take the old region out of DNS; "
            f"replica lag {lag} s is the data at risk"
        )
    database, slots = _database_read_only(ctx, ctx.source), _empty_slots(ctx, ctx.source)
    lag = replica_lag(ctx.client("cloudwatch"), ctx.target.db_id)
    ctx.journal.facts["lag_at_fence_seconds"] = lag
    return f"{database}; {slots}; replica lag at fence {lag} s"


def _database_read_only(ctx: DrContext, old: RootStack) -> str:
    """The old writer's group read-only, in effect once RDS reports it in-sync (none left: nothing to do)."""
    rds = ctx.client("rds", ctx.source_region)
    db = describe_db(rds, old.db_id)
    if db is None:
        return f"no {old.db_id} in {ctx.source_region}: no database to fence"
    group = parameter_group(db)
    _set_read_only(rds, group, "1")
    wait_for(
        lambda: _applied(rds, old.db_id), what=f"{group} to apply {READ_ONLY}", timeout=FENCE_TIMEOUT_SECONDS
    )
    return f"{old.db_id} read-only ({group})"


def _empty_slots(ctx: DrContext, old: RootStack) -> str:
    """Both old slots to 0, their sizes before kept in the journal; drain-old-slots waits for them."""
    autoscaling = ctx.client("autoscaling", ctx.source_region)
    previous = ctx.journal.facts.setdefault("fenced_slots", {})
    changed = []
    for slot in SLOTS:
        name = old.asg(slot)
        group, _ = in_service(autoscaling, name)
        previous.setdefault(slot, group["DesiredCapacity"])
        if group["DesiredCapacity"] or group["MinSize"]:
            autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=0, DesiredCapacity=0)
            changed.append(name)
    return f"scaled {', '.join(changed)} to 0" if changed else "old slots already at 0"


def _fenced(ctx: DrContext) -> str | None:
    if ctx.source is None:
        skipped = ctx.journal.entry("fence-writers").status == SKIPPED
        return None if skipped else f"{ctx.source_region} does not answer to confirm the fence"
    rds = ctx.client("rds", ctx.source_region)
    db = describe_db(rds, ctx.source.db_id)
    if db is not None and _read_only_value(rds, parameter_group(db)) != "1":
        return f"{ctx.source.db_id} in {ctx.source_region} is not read-only"
    autoscaling = ctx.client("autoscaling", ctx.source_region)
    for slot in SLOTS:
        group, _ = in_service(autoscaling, ctx.source.asg(slot))
        if group["DesiredCapacity"]:
            return f"{ctx.source.asg(slot)} wants {group['DesiredCapacity']}"
    return None


# --- drain-old-slots -------------------------------------------------------------------------------
def _drain_intent(ctx: DrContext) -> str:
    if ctx.source is None:
        return f"skip: {ctx.source_reason}"
    return f"wait until no instance of the old region's slots serves in {ctx.source_region}"


def drain_old_slots(ctx: DrContext) -> str:
    """The fenced slots leave service (deregistration delay, shutdown) while the replica is promoted."""
    if ctx.source is None:
        raise StepSkipped(ctx.source_reason)
    autoscaling = ctx.client("autoscaling", ctx.source_region)
    names = [ctx.source.asg(slot) for slot in SLOTS]

    def drained() -> tuple[bool, int]:
        serving = sum(in_service(autoscaling, name)[1] for name in names)
        return serving == 0, serving

    wait_for(drained, what="the old region's instances to leave service", timeout=DRAIN_TIMEOUT_SECONDS)
    return f"no instance serves in {ctx.source_region}"


def _drained(ctx: DrContext) -> str | None:
    if ctx.source is None:
        return (
            None if ctx.journal.entry("drain-old-slots").status == SKIPPED else "the old region answers now"
        )
    autoscaling = ctx.client("autoscaling", ctx.source_region)
    serving = sum(in_service(autoscaling, ctx.source.asg(slot))[1] for slot in SLOTS)
    return f"{serving} instances still serve in {ctx.source_region}" if serving else None


# --- failback: lift-read-only ----------------------------------------------------------------------
def lift_read_only(rds: Any, db: dict[str, Any]) -> str:
    """Back to the engine's default in the group the old region's database now uses, so a later promotion
    of its replica writes, and the stack's parameter group matches its template again."""
    group = parameter_group(db)
    if _read_only_value(rds, group) is None:
        return f"{group} sets no {READ_ONLY}"
    rds.reset_db_parameter_group(
        DBParameterGroupName=group, Parameters=[{"ParameterName": READ_ONLY, "ApplyMethod": "immediate"}]
    )
    return f"{READ_ONLY} reset to the engine default in {group}"


FENCE_WRITERS = Step(
    "fence-writers", "Fence writers in the old region", (), _fence_intent, fence_writers, check=_fenced
)
DRAIN_OLD_SLOTS = Step(
    "drain-old-slots",
    "Drain the old region's slots",
    ("fence-writers",),
    _drain_intent,
    drain_old_slots,
    check=_drained,
)

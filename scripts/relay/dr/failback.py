"""Failback = re-protect: make the old primary region a cross-region replica of the new primary again.

When the old region's stack owns its database (the real templates: a `DbOrigin` parameter), the
replica is created THROUGH the stack (ADR 0011, addendum): the update to Role=standby, DbOrigin=replica
and the new primary's ARN and secret replaces the old writer with a replica that CloudFormation owns,
moves the slot to warm size and re-points the app's settings, so the stack is the source of truth
again. A final snapshot named for the run is taken first (the RPO gap, for reconciliation) and the old
writer's deletion protection lifted so CloudFormation can retire it. A stack that does not own its
database gets the same result from the RDS API: snapshot-and-delete, then the replica under the same
identifier. Either way the fence's read-only setting is lifted from the replica's parameter group,
the old region's live slot returns to warm size and its app is told the database is read-only.
Switching the writer back is a separate, confirmed `relay dr promote`.
"""

from __future__ import annotations

import contextlib
from typing import Any

from relay.contract import RootStack, capacity_parameter, read_root_stack
from relay.dr.context import DrContext, Step, StepSkipped
from relay.dr.fence import READ_ONLY, lift_read_only
from relay.dr.records import describe_changes, stack_changes, write_stack
from relay.dr.topology import describe_db, in_service, is_writable, replica_lag
from relay.errors import RelayError
from relay.vocabulary import SLOTS
from relay.waiting import wait_for, wait_with

RETIRE_TIMEOUT_SECONDS = 3600.0
REPLICA_TIMEOUT_SECONDS = 7200.0  # a cross-region replica copies the whole database


def _old(ctx: DrContext) -> RootStack:
    if ctx.source is None:
        raise RelayError(f"cannot re-protect {ctx.source_region}: {ctx.source_reason}; retry when it answers")
    return ctx.source


def _new_primary_arn(ctx: DrContext) -> str:
    db = describe_db(ctx.client("rds"), ctx.target.db_id)
    if db is None or not is_writable(db):
        raise RelayError(
            f"{ctx.target.db_id} in {ctx.target_region} is not a standalone writer; promote first"
        )
    return str(db["DBInstanceArn"])


def _is_our_replica(ctx: DrContext, db: dict[str, object] | None) -> bool:
    return bool(db) and db.get("ReadReplicaSourceDBInstanceIdentifier") == _new_primary_arn(ctx)  # type: ignore[union-attr]


def placement(db: dict[str, Any]) -> dict[str, Any]:
    """Where the old writer lived (network, parameters, key, size): the replica takes its place.

    A cross-region replica otherwise lands in the default VPC with the default parameter group.
    """
    wanted = {
        "DBInstanceClass": db.get("DBInstanceClass"),
        "DBParameterGroupName": next(
            (g["DBParameterGroupName"] for g in db.get("DBParameterGroups", [])), None
        ),
        "DBSubnetGroupName": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
        "VpcSecurityGroupIds": [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])] or None,
        "KmsKeyId": db.get("KmsKeyId") if db.get("StorageEncrypted") else None,
        "MultiAZ": db.get("MultiAZ"),
        "StorageType": db.get("StorageType"),
    }
    return {key: value for key, value in wanted.items() if value not in (None, "")}


def stack_owns_db(stack: RootStack) -> bool:
    """The real templates declare how the database was born; the stack then creates the replica."""
    return "DbOrigin" in stack.parameters


def _snapshot_name(ctx: DrContext, db_id: str) -> str:
    return f"{db_id}-final-{ctx.journal.run_id}"


def _retire_intent(ctx: DrContext) -> str:
    old = _old(ctx)
    if stack_owns_db(old):
        return (
            f"snapshot the old writer {old.db_id} in {ctx.source_region} and lift its deletion protection "
            "(the stack update retires it)"
        )
    return f"snapshot and delete the old writer {old.db_id} in {ctx.source_region} (final snapshot kept)"


def retire_old_writer(ctx: DrContext) -> str:
    """Keep what the old writer holds (a final snapshot) and make way for the replica."""
    old = _old(ctx)
    rds = ctx.client("rds", ctx.source_region)
    db = describe_db(rds, old.db_id)
    if db is None or _is_our_replica(ctx, db):
        raise StepSkipped(f"{old.db_id} in {ctx.source_region} is already gone or already the replica")
    if stack_owns_db(old):
        return _snapshot_and_unprotect(ctx, rds, db)
    if db["DBInstanceStatus"] != "deleting":
        ctx.journal.facts["old_writer"] = placement(db)
        snapshot = _snapshot_name(ctx, old.db_id)
        if db.get("DeletionProtection"):
            rds.modify_db_instance(
                DBInstanceIdentifier=old.db_id, DeletionProtection=False, ApplyImmediately=True
            )
        rds.delete_db_instance(DBInstanceIdentifier=old.db_id, FinalDBSnapshotIdentifier=snapshot)
        ctx.journal.facts["final_snapshot"] = snapshot
    wait_with(
        rds,
        "db_instance_deleted",
        DBInstanceIdentifier=old.db_id,
        what=f"{old.db_id} to be deleted",
        timeout=RETIRE_TIMEOUT_SECONDS,
    )
    return f"deleted {old.db_id}; final snapshot {ctx.journal.facts.get('final_snapshot', '(earlier run)')}"


def _snapshot_and_unprotect(ctx: DrContext, rds: Any, db: dict[str, Any]) -> str:
    """The stack replaces the writer; first a snapshot named for the run, and no deletion protection
    (CloudFormation's clean-up could not delete it, leaving an orphaned writer)."""
    db_id = str(db["DBInstanceIdentifier"])
    snapshot = _snapshot_name(ctx, db_id)
    with contextlib.suppress(rds.exceptions.DBSnapshotAlreadyExistsFault):  # a re-run: it exists
        rds.create_db_snapshot(DBSnapshotIdentifier=snapshot, DBInstanceIdentifier=db_id)
    ctx.journal.facts["final_snapshot"] = snapshot
    wait_with(
        rds,
        "db_snapshot_available",
        DBSnapshotIdentifier=snapshot,
        what=f"snapshot {snapshot} to be available",
        timeout=RETIRE_TIMEOUT_SECONDS,
    )
    if db.get("DeletionProtection"):
        rds.modify_db_instance(DBInstanceIdentifier=db_id, DeletionProtection=False, ApplyImmediately=True)
    return f"final snapshot {snapshot} of {db_id}; deletion protection off for the stack to retire it"


def _standby_changes(ctx: DrContext) -> dict[str, str]:
    """docs/stacks.md, failback: the old primary's stack becomes a standby of the new primary."""
    old = _old(ctx)
    sizes = {capacity_parameter(slot): "0" for slot in SLOTS}
    sizes[capacity_parameter(old.recorded_slot)] = str(_warm_size(ctx, old))
    return stack_changes(
        old,
        {
            "Role": "standby",
            "DbOrigin": "replica",
            "SourceDbInstanceArn": _new_primary_arn(ctx),
            "SourceDbSecretArn": ctx.target.db_secret_arn,
            **sizes,
        },
    )


def _warm_size(ctx: DrContext, stack: RootStack) -> int:
    group, _ = in_service(ctx.client("autoscaling", ctx.source_region), stack.recorded_slot_asg)
    return min(ctx.capacity, int(group["MaxSize"]))


def _create_intent(ctx: DrContext) -> str:
    old = _old(ctx)
    if stack_owns_db(old):
        changes = describe_changes(ctx.source_region, _standby_changes(ctx))
        return f"update the stack (replacing the database) in {changes}"
    return f"create {old.db_id} in {ctx.source_region} as a read replica of {ctx.target.db_id}"


def create_replica(ctx: DrContext) -> str:
    """Create the cross-region replica of the new primary (once) and wait until it is available."""
    old = _old(ctx)
    if stack_owns_db(old):
        return _replica_through_stack(ctx)
    rds = ctx.client("rds", ctx.source_region)
    source_arn = _new_primary_arn(ctx)
    db = describe_db(rds, old.db_id)
    verb = "found"
    if db is None:
        rds.create_db_instance_read_replica(
            DBInstanceIdentifier=old.db_id,
            SourceDBInstanceIdentifier=source_arn,
            SourceRegion=ctx.target_region,
            DeletionProtection=True,
            **ctx.journal.facts.get("old_writer", {}),
        )
        verb = "created"
    elif not _is_our_replica(ctx, db):
        raise RelayError(f"{old.db_id} in {ctx.source_region} exists but is not a replica of {source_arn}")
    _wait_available(ctx, old.db_id)
    return f"{verb} replica {old.db_id} in {ctx.source_region} of {source_arn}"


def _replica_through_stack(ctx: DrContext) -> str:
    """The template's path: Role=standby replaces the old writer with a replica the stack owns."""
    if ctx.target.parameters.get("Role") != "primary":
        raise RelayError(
            f"the stack in {ctx.target_region} does not record its promotion yet (Role="
            f"{ctx.target.parameters.get('Role')}); re-run `relay dr promote` to finish it, then fail back"
        )
    changes = _standby_changes(ctx)
    done = (
        write_stack(ctx, ctx.source_region, changes, allow_replacement=True)
        if changes
        else f"{ctx.source_region}: the stack already records the standby role"
    )
    replica = _current_db_id(ctx)
    _wait_available(ctx, replica)
    return f"{done}; replica {replica} of {ctx.target.db_id}"


def _current_db_id(ctx: DrContext) -> str:
    """The old region's database now (a replacement has a new identifier: re-read the outputs)."""
    return read_root_stack(ctx.aws, ctx.env, ctx.source_region).db_id


def _wait_available(ctx: DrContext, db_id: str) -> None:
    wait_with(
        ctx.client("rds", ctx.source_region),
        "db_instance_available",
        DBInstanceIdentifier=db_id,
        what=f"replica {db_id} to be available",
        timeout=REPLICA_TIMEOUT_SECONDS,
    )


def _replicating_intent(ctx: DrContext) -> str:
    return f"wait until the replica in {_old(ctx).region} reports ReplicaLag"


def wait_replicating(ctx: DrContext) -> str:
    """The replica protects nothing until RDS reports its lag: wait for the first ReplicaLag."""
    _old(ctx)
    db_id = _current_db_id(ctx)
    cloudwatch = ctx.client("cloudwatch", ctx.source_region)

    def reporting() -> tuple[bool, float | None]:
        lag = replica_lag(cloudwatch, db_id)
        return lag is not None, lag

    lag = wait_for(reporting, what=f"ReplicaLag of {db_id}", timeout=REPLICA_TIMEOUT_SECONDS)
    return f"{db_id} replicates, lag {lag} s"


def _lift_intent(ctx: DrContext) -> str:
    return f"reset {READ_ONLY} (set by the fence) in the parameter group of {_old(ctx).region}'s replica"


def lift_fence(ctx: DrContext) -> str:
    """The fence's read-only setting goes with the old writer: the group now serves the replica, which
    a later promotion (the switch back) must leave writable."""
    rds = ctx.client("rds", ctx.source_region)
    db_id = _current_db_id(ctx)
    db = describe_db(rds, db_id)
    if db is None:
        raise RelayError(f"the replica {db_id} in {ctx.source_region} does not exist; run failback again")
    return lift_read_only(rds, db)


def _warm_intent(ctx: DrContext) -> str:
    return f"return {_old(ctx).recorded_slot_asg} to warm-standby size and mark the app's database read-only"


def warm_old_slot(ctx: DrContext) -> str:
    """The old region becomes a warm standby: its live slot at warm size, its app told the DB is a replica."""
    old = _old(ctx)
    autoscaling = ctx.client("autoscaling", ctx.source_region)
    name = old.recorded_slot_asg
    group, _ = in_service(autoscaling, name)
    size = min(ctx.capacity, group["MaxSize"])
    if group["DesiredCapacity"] < size:
        autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=size, DesiredCapacity=size)
    ctx.client("ssm", ctx.source_region).put_parameter(
        Name=old.app_config_path + "DATABASE_READ_ONLY", Value="true", Type="String", Overwrite=True
    )
    return f"{name} at {max(size, group['DesiredCapacity'])}; {old.app_config_path}DATABASE_READ_ONLY=true"


FAILBACK_STEPS: tuple[Step, ...] = (
    Step("retire-old-writer", "Snapshot and retire the old writer", (), _retire_intent, retire_old_writer),
    Step(
        "create-replica",
        "Create the cross-region replica",
        ("retire-old-writer",),
        _create_intent,
        create_replica,
    ),
    Step(
        "wait-replicating",
        "Wait until it replicates",
        ("create-replica",),
        _replicating_intent,
        wait_replicating,
    ),
    Step(
        "lift-read-only",
        "Lift the fence's read-only setting",
        ("create-replica",),
        _lift_intent,
        lift_fence,
    ),
    Step("warm-old-slot", "Warm the old region's slot", (), _warm_intent, warm_old_slot),
)

"""Failback = re-protect: make the old primary region a cross-region replica of the new primary again.

The old writer keeps the identifier the old region's stack outputs name, so the replica takes it over:
a final snapshot keeps whatever the old writer holds that never replicated (the RPO gap, for
reconciliation), then the instance is deleted and the replica created under the same identifier. The
old region's live slot returns to warm-standby size and its app is told the database is read-only.
Switching the writer back is a separate, confirmed `relay dr promote`.
"""

from __future__ import annotations

from typing import Any

from scripts.dr.steps import DrContext, Step, StepSkipped, in_service
from scripts.dr.topology import Site, describe_db, is_writable, replica_lag
from scripts.dr.waiting import wait_for
from scripts.errors import RelayError

RETIRE_TIMEOUT_SECONDS = 3600.0
REPLICA_TIMEOUT_SECONDS = 7200.0  # a cross-region replica copies the whole database


def _old(ctx: DrContext) -> Site:
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


def _retire_intent(ctx: DrContext) -> str:
    return (
        f"snapshot and delete the old writer {_old(ctx).db_id} in {ctx.source_region} (final snapshot kept)"
    )


def retire_old_writer(ctx: DrContext) -> str:
    """Final snapshot + delete of the fenced old writer, so its identifier can become the replica."""
    old = _old(ctx)
    rds = ctx.client("rds", ctx.source_region)
    db = describe_db(rds, old.db_id)
    if db is None or _is_our_replica(ctx, db):
        raise StepSkipped(f"{old.db_id} in {ctx.source_region} is already gone or already the replica")
    if db["DBInstanceStatus"] != "deleting":
        ctx.journal.facts["old_writer"] = placement(db)
        snapshot = f"{old.db_id}-final-{ctx.journal.run_id}"
        if db.get("DeletionProtection"):
            rds.modify_db_instance(
                DBInstanceIdentifier=old.db_id, DeletionProtection=False, ApplyImmediately=True
            )
        rds.delete_db_instance(DBInstanceIdentifier=old.db_id, FinalDBSnapshotIdentifier=snapshot)
        ctx.journal.facts["final_snapshot"] = snapshot
    wait_for(
        lambda: (describe_db(rds, old.db_id) is None, "still there"),
        RETIRE_TIMEOUT_SECONDS,
        f"{old.db_id} deleted",
    )
    return f"deleted {old.db_id}; final snapshot {ctx.journal.facts.get('final_snapshot', '(earlier run)')}"


def _create_intent(ctx: DrContext) -> str:
    return f"create {_old(ctx).db_id} in {ctx.source_region} as a read replica of {ctx.target.db_id}"


def create_replica(ctx: DrContext) -> str:
    """Create the cross-region replica of the new primary (once) and wait until it is available."""
    old = _old(ctx)
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

    def available() -> tuple[bool, str]:
        now = describe_db(rds, old.db_id) or {}
        return now.get("DBInstanceStatus") == "available", str(now.get("DBInstanceStatus"))

    wait_for(available, REPLICA_TIMEOUT_SECONDS, f"replica {old.db_id} to be available")
    return f"{verb} replica {old.db_id} in {ctx.source_region} of {source_arn}"


def _replicating_intent(ctx: DrContext) -> str:
    return f"wait until {_old(ctx).db_id} reports ReplicaLag"


def wait_replicating(ctx: DrContext) -> str:
    """The replica protects nothing until RDS reports its lag: wait for the first ReplicaLag."""
    old = _old(ctx)
    cloudwatch = ctx.client("cloudwatch", ctx.source_region)

    def reporting() -> tuple[bool, float | None]:
        lag = replica_lag(cloudwatch, old.db_id)
        return lag is not None, lag

    lag = wait_for(reporting, REPLICA_TIMEOUT_SECONDS, f"ReplicaLag of {old.db_id}")
    return f"{old.db_id} replicates, lag {lag} s"


def _warm_intent(ctx: DrContext) -> str:
    return f"return {_old(ctx).asg()} to warm-standby size and mark the app's database read-only"


def warm_old_slot(ctx: DrContext) -> str:
    """The old region becomes a warm standby: its live slot at warm size, its app told the DB is a replica."""
    old = _old(ctx)
    autoscaling = ctx.client("autoscaling", ctx.source_region)
    name = old.asg()
    group, _ = in_service(autoscaling, name)
    size = min(ctx.capacity, group["MaxSize"])
    if group["DesiredCapacity"] < size:
        autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=size, DesiredCapacity=size)
    ctx.client("ssm", ctx.source_region).put_parameter(
        Name=old.app_path + "DATABASE_READ_ONLY", Value="true", Type="String", Overwrite=True
    )
    return f"{name} at {max(size, group['DesiredCapacity'])}; {old.app_path}DATABASE_READ_ONLY=true"


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
    Step("warm-old-slot", "Warm the old region's slot", (), _warm_intent, warm_old_slot),
)

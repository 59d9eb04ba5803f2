"""The steps of a promotion: each idempotent (it looks at AWS first), each saying what it would do.

Order (ARCHITECTURE.md decision 5): fence the old writers (its database read-only, fence.py), promote
the replica and wait until it is writable, point the standby app at it, while in parallel the old slots
drain and the standby slot scales to production size;
then release the live bundle to the standby unless it runs it already, smoke-test, move DNS and verify;
outside the RTO, the orders lost are counted once the app points at the writer (lost_orders.py) and,
after verify, the stacks record the outcome (records.py). A step that finds its work
done reports so and changes nothing.
"""

from __future__ import annotations

from typing import Any

from relay.contract import read_root_stack
from relay.dr import live_release, model
from relay.dr.context import DrContext, Step, StepSkipped
from relay.dr.fence import DRAIN_OLD_SLOTS, FENCE_WRITERS
from relay.dr.lost_orders import count_intent, count_lost_orders
from relay.dr.records import RECORD_NEW_PRIMARY, RECORD_OLD_REGION
from relay.dr.topology import (
    describe_db,
    failover_records,
    health_check_healthy,
    in_service,
    is_writable,
)
from relay.errors import RelayError
from relay.release.layout import listener_endpoint
from relay.release.smoke import smoke, smoke_token
from relay.waiting import wait_for, wait_with

PROMOTION_TIMEOUT_SECONDS = 3600.0  # AWS: "several minutes or longer"; large instances take longer
SCALE_TIMEOUT_SECONDS = 1200.0
SMOKE_TIMEOUT_SECONDS = 180.0  # the slot is warm: its /readyz answers within a health-check cycle or two
DNS_TIMEOUT_SECONDS = 300.0
BACKUP_RETENTION_DAYS = 7  # a promoted replica is the writer now: it needs backups at once


# --- promote-replica -------------------------------------------------------------------------------
def _promote_intent(ctx: DrContext) -> str:
    return (
        f"promote {ctx.target.db_id} in {ctx.target_region} to a standalone writer and wait until available"
    )


def promote_replica(ctx: DrContext) -> str:
    """Promote the cross-region replica (once) and wait until it is standalone and available."""
    rds = ctx.client("rds")
    db_id = ctx.target.db_id
    db = describe_db(rds, db_id)
    if db is None:
        raise RelayError(f"DB instance {db_id} does not exist in {ctx.target_region}")
    if is_writable(db):
        return f"{db_id} is already a standalone writer"
    if db.get("ReadReplicaSourceDBInstanceIdentifier") and db["DBInstanceStatus"] == "available":
        rds.promote_read_replica(DBInstanceIdentifier=db_id, BackupRetentionPeriod=BACKUP_RETENTION_DAYS)
        verb = "promoted"
    else:
        verb = f"waited for the promotion in progress ({db['DBInstanceStatus']})"

    def writable() -> tuple[bool, str]:
        now = describe_db(rds, db_id) or {}
        return is_writable(now), now.get("DBInstanceStatus", "missing")

    wait_for(writable, what=f"{db_id} to become a standalone writer", timeout=PROMOTION_TIMEOUT_SECONDS)
    return f"{verb} {db_id}; it is standalone and available"


def _promoted(ctx: DrContext) -> str | None:
    db = describe_db(ctx.client("rds"), ctx.target.db_id)
    return None if db is not None and is_writable(db) else f"{ctx.target.db_id} is not a standalone writer"


# --- point-app-at-db --------------------------------------------------------------------------------
def own_secret_arn(db: dict[str, Any], region: str) -> str | None:
    """The instance's RDS-managed master secret when it lives in the instance's own region.

    A replica's master login is its source's, kept in the source's region: once promoted, the writer
    needs a secret of its own, or the migration step's bootstrap would depend on the failed region (and
    failback deletes the old writer's secret with it). The app's own login is a role that replicated
    with the database, and its secret with Secrets Manager (docs/adr/0027): it needs no change.
    """
    arn = str((db.get("MasterUserSecret") or {}).get("SecretArn") or "")
    parts = arn.split(":")
    return arn if len(parts) > 3 and parts[3] == region else None


def app_db_settings(ctx: DrContext) -> dict[str, str]:
    """What the standby app reads to find its writer, and the migration step the master's login (SSM,
    under AppConfigParameterPath).

    The secret first: `point_app_at_db` writes in this order, and the password has already changed.
    """
    db = describe_db(ctx.client("rds"), ctx.target.db_id) or {}
    endpoint = db.get("Endpoint") or {}
    return {
        "DATABASE_MASTER_SECRET_ARN": own_secret_arn(db, ctx.target_region) or "",
        "DATABASE_HOST": str(endpoint.get("Address", "")),
        "DATABASE_PORT": str(endpoint.get("Port", "")),
        "DATABASE_READ_ONLY": "false",
    }


def _point_intent(ctx: DrContext) -> str:
    path = ctx.target.app_config_path
    return (
        f"let RDS manage {ctx.target.db_id}'s master password in {ctx.target_region}'s Secrets Manager; "
        f"write that secret and the writer endpoint to {path}DATABASE_MASTER_SECRET_ARN/HOST/PORT and "
        "DATABASE_READ_ONLY=false"
    )


def point_app_at_db(ctx: DrContext) -> str:
    """Give the promoted writer its own master secret; write it and the endpoint where the app and the
    migration step read them.

    `ModifyDBInstance ManageMasterUserPassword` (once) makes RDS create the secret in this region and
    set a new master password; the app logs in with its own role, whose password does not change
    (app/db_roles.py). The setting is written as soon as RDS names the secret, before it is active.
    """
    rds = ctx.client("rds")
    db_id = ctx.target.db_id
    if own_secret_arn(describe_db(rds, db_id) or {}, ctx.target_region) is None:
        rds.modify_db_instance(
            DBInstanceIdentifier=db_id, ManageMasterUserPassword=True, ApplyImmediately=True
        )
    ssm = ctx.client("ssm")
    written = []
    for name, value in app_db_settings(ctx).items():
        full = ctx.target.app_config_path + name
        if _setting(ssm, full) != value:
            ssm.put_parameter(Name=full, Value=value, Type="String", Overwrite=True)
            written.append(name)

    def secret_active() -> tuple[bool, str]:
        db = describe_db(rds, db_id) or {}
        status = (db.get("MasterUserSecret") or {}).get("SecretStatus", "active")
        return own_secret_arn(db, ctx.target_region) is not None and status == "active", status

    wait_for(
        secret_active, what=f"{db_id}'s own master secret to be active", timeout=PROMOTION_TIMEOUT_SECONDS
    )
    return f"wrote {', '.join(written)}" if written else "the app already points at the writer"


def _setting(ssm: Any, name: str) -> str | None:
    try:
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        return None


def _pointed(ctx: DrContext) -> str | None:
    ssm = ctx.client("ssm")
    for name, value in app_db_settings(ctx).items():
        current = _setting(ssm, ctx.target.app_config_path + name)
        if current != value:
            return f"{ctx.target.app_config_path}{name} is {current!r}, not {value!r}"
    return None


# --- scale-standby-slot -----------------------------------------------------------------------------
def _scale_intent(ctx: DrContext) -> str:
    asg = ctx.target.recorded_slot_asg
    return f"scale {asg} to {ctx.capacity} instance(s) and wait until they are in service"


def scale_standby_slot(ctx: DrContext) -> str:
    """Grow the standby's live slot to production size and wait for healthy instances."""
    autoscaling = ctx.client("autoscaling")
    name = ctx.target.recorded_slot_asg
    group, _ = in_service(autoscaling, name)
    if group["MaxSize"] < ctx.capacity:
        raise RelayError(f"{name} allows at most {group['MaxSize']} instances, fewer than {ctx.capacity}")
    changed = group["DesiredCapacity"] < ctx.capacity or group["MinSize"] < ctx.capacity
    if changed:
        autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=name, MinSize=ctx.capacity, DesiredCapacity=ctx.capacity
        )

    def ready() -> tuple[bool, int]:
        serving = in_service(autoscaling, name)[1]
        return serving >= ctx.capacity, serving

    what = f"{ctx.capacity} healthy instance(s) in {name}"
    serving = wait_for(ready, what=what, timeout=SCALE_TIMEOUT_SECONDS)
    return f"{'scaled' if changed else 'already at size:'} {name} to {ctx.capacity}; {serving} in service"


def _scaled(ctx: DrContext) -> str | None:
    serving = in_service(ctx.client("autoscaling"), ctx.target.recorded_slot_asg)[1]
    return None if serving >= ctx.capacity else f"{serving} instance(s) in service, not {ctx.capacity}"


# --- release-live-bundle ----------------------------------------------------------------------------
# After point-app-at-db, not beside promote-replica: the release's ready gate smoke-tests with a write
# through the test listener, which only a standalone writer the app points at can take.
def _release_intent(ctx: DrContext) -> str:
    recorded = ctx.journal.facts.get(live_release.FACT) or {}
    key = recorded.get("key", "the old primary's live bundle")
    if recorded and recorded.get("standby_key") == key:
        return f"release nothing: {ctx.target_region}'s live slot already runs {key}"
    bucket = ctx.target.artifact_bucket
    return (
        f"`relay release` {key} from {bucket} to {ctx.target_region} at {ctx.capacity} instance(s), "
        "unless its live slot runs it by then"
    )


def _discard(_line: str) -> None:
    """The release's own progress lines: the step's detail and the journal say what it did."""


def release_live_bundle(ctx: DrContext) -> str:
    """Leave the old primary's live release serving in the standby: a no-op when its live slot runs it.

    A release swaps the standby's slots (blue/green): the context re-reads the stack, so the steps after
    this one smoke-test, verify and record the slot that now serves.
    """
    live = live_release.find(ctx)
    if live is None:
        raise RelayError(
            f"no live release found in {ctx.source_region} or {ctx.target_region}: "
            f"release one with `relay release --env {ctx.env} --region {ctx.target_region} --bundle S3_URL`"
        )
    if live.on_standby:
        return (
            f"no-op: {ctx.target_region}'s live slot already runs {live.key} "
            f"(its last successful CodeDeploy revision; live in {live.read_from})"
        )
    result = live_release.release_to_standby(ctx, live, _discard)
    ctx.target = read_root_stack(ctx.aws, ctx.env, ctx.target_region)
    ctx.journal.facts[live_release.FACT] = {**ctx.journal.facts[live_release.FACT], "standby_key": live.key}
    return (
        f"released {result.release_id or live.key} to {ctx.target_region} "
        f"({result.from_slot} -> {result.to_slot}, deployment {result.deployment_id}); "
        f"it ran {live.describe_standby()}"
    )


# --- smoke-test -------------------------------------------------------------------------------------
def standby_smoke(ctx: DrContext) -> list[str]:
    """The release's smoke checks (/readyz, /version, a create-and-read write) through the standby's
    production listener: the write proves the app reaches the promoted writer."""
    endpoint = listener_endpoint(ctx.aws, ctx.target, ctx.target.listener_arn)
    return smoke(
        endpoint, None, token=smoke_token(ctx.aws, ctx.target), deadline_seconds=SMOKE_TIMEOUT_SECONDS
    )


def _smoke_intent(ctx: DrContext) -> str:
    check = ctx.target.health_check_id or "none"
    return f"smoke-test the standby's load balancer (a write included); Route 53 health check {check} passes"


def smoke_test(ctx: DrContext) -> str:
    """The standby serves and writes through its load balancer, and Route 53 sees it healthy."""
    db = describe_db(ctx.client("rds"), ctx.target.db_id) or {}
    if not is_writable(db):
        raise RelayError(f"{ctx.target.db_id} is not a standalone writer ({db.get('DBInstanceStatus')})")
    passed = standby_smoke(ctx)
    check_id = ctx.target.health_check_id
    if check_id:
        route53 = ctx.client("route53")
        passed.append(
            wait_for(
                lambda: health_check_healthy(route53, check_id),
                what=f"health check {check_id} to pass",
                timeout=SMOKE_TIMEOUT_SECONDS,
            )
        )
    return "; ".join(passed)


# --- move-dns ---------------------------------------------------------------------------------------
def _dns_intent(ctx: DrContext) -> str:
    if not ctx.target.hosted_zone_id:
        return f"skip moving DNS: no hosted zone; clients must be sent to {ctx.target.alb_dns_name} by hand"
    name = ctx.target.record_name or "?"
    return f"make {ctx.target_region}'s failover record of {name} PRIMARY and {ctx.source_region}'s SECONDARY"


def move_dns(ctx: DrContext) -> str:
    """Swap the failover roles of the two records in one atomic change batch, then wait until INSYNC."""
    if not ctx.target.hosted_zone_id:
        raise StepSkipped(f"no hosted zone: send clients to {ctx.target.alb_dns_name} by hand")
    route53 = ctx.client("route53")
    records = failover_records(route53, ctx.target, ctx.regions)
    if ctx.target_region not in records.by_region:
        raise RelayError(f"no failover record of {records.name} for {ctx.target_region} in {records.zone_id}")
    wanted = {ctx.target_region: "PRIMARY", ctx.source_region: "SECONDARY"}
    changes = []
    for region, role in wanted.items():
        record = records.by_region.get(region)
        if record is not None and record["Failover"] != role:
            changes.append({"Action": "UPSERT", "ResourceRecordSet": {**record, "Failover": role}})
    if not changes:
        return f"{ctx.target_region} is already PRIMARY for {records.name}"
    change = route53.change_resource_record_sets(
        HostedZoneId=records.zone_id,
        ChangeBatch={"Comment": f"relay dr: {ctx.journal.run_id}", "Changes": changes},
    )["ChangeInfo"]
    wait_with(
        route53,
        "resource_record_sets_changed",
        Id=change["Id"],
        what=f"Route 53 change {change['Id']} to be INSYNC",
        timeout=DNS_TIMEOUT_SECONDS,
    )
    ttl = model.DNS_TTL_SECONDS
    return f"{ctx.target_region} is PRIMARY for {records.name}; resolvers follow within TTL {ttl} s"


def _dns_moved(ctx: DrContext) -> str | None:
    if not ctx.target.hosted_zone_id:
        return None
    records = failover_records(ctx.client("route53"), ctx.target, ctx.regions)
    role = records.role(ctx.target_region)
    return None if role == "PRIMARY" else f"{ctx.target_region}'s record is {role}"


# --- verify -----------------------------------------------------------------------------------------
def _verify_intent(ctx: DrContext) -> str:
    dns = ", DNS primary" if ctx.target.hosted_zone_id else ""
    return f"re-read everything: writer standalone, slot at size{dns}, health check passing"


def verify(ctx: DrContext) -> str:
    """Re-read the end state from AWS; fail listing every expectation that does not hold."""
    problems = []
    db = describe_db(ctx.client("rds"), ctx.target.db_id) or {}
    if not is_writable(db):
        problems.append(f"{ctx.target.db_id} is not a standalone available writer")
    serving = in_service(ctx.client("autoscaling"), ctx.target.recorded_slot_asg)[1]
    if serving < ctx.capacity:
        problems.append(
            f"{ctx.target.recorded_slot_asg} has {serving} healthy instance(s), wants {ctx.capacity}"
        )
    if ctx.target.hosted_zone_id:
        records = failover_records(ctx.client("route53"), ctx.target, ctx.regions)
        if records.role(ctx.target_region) != "PRIMARY":
            problems.append(f"{ctx.target_region}'s record is {records.role(ctx.target_region)}, not PRIMARY")
    if problems:
        raise RelayError("verification failed: " + "; ".join(problems))
    return f"writer {ctx.target.db_id} in {ctx.target_region}; {serving} instance(s) serve; DNS points here"


PROMOTE_STEPS: tuple[Step, ...] = (
    FENCE_WRITERS,
    DRAIN_OLD_SLOTS,
    Step(
        "promote-replica",
        "Promote the read replica",
        ("fence-writers",),
        _promote_intent,
        promote_replica,
        check=_promoted,
    ),
    Step(
        "point-app-at-db",
        "Point the standby app at the writer",
        ("promote-replica",),
        _point_intent,
        point_app_at_db,
        check=_pointed,
    ),
    Step(
        "scale-standby-slot",
        "Scale the standby slot to production size",
        (),
        _scale_intent,
        scale_standby_slot,
        check=_scaled,
    ),
    Step(
        "release-live-bundle",
        "Release the live bundle to the standby",
        ("point-app-at-db", "scale-standby-slot"),
        _release_intent,
        release_live_bundle,
    ),
    Step(
        "smoke-test",
        "Smoke-test the standby",
        ("release-live-bundle",),
        _smoke_intent,
        smoke_test,
    ),
    Step(
        "move-dns",
        "Move DNS to the standby",
        ("smoke-test", "drain-old-slots"),
        _dns_intent,
        move_dns,
        check=_dns_moved,
    ),
    Step("verify", "Verify the new primary", ("move-dns",), _verify_intent, verify),
    Step(
        "count-lost-orders",
        "Count the orders lost",
        ("point-app-at-db",),
        count_intent,
        count_lost_orders,
        restores_service=False,  # what was lost is known after the fact; service does not wait for it
    ),
    RECORD_OLD_REGION,
    RECORD_NEW_PRIMARY,
)

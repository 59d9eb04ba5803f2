"""Readiness of the standby region to take over: each check with its reason (as ARC evaluates a plan)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from relay.dr import configured, live_release
from relay.dr.context import DrContext
from relay.dr.topology import describe_db, failover_records, is_writable, replica_lag
from relay.errors import RelayError

# A stack whose last operation completed: its resources are what the template says.
HEALTHY_STACK_STATES = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}
# The old region not answering is the disaster a promotion is for, not a gap in the standby: the plan
# models the fence as skipped and can still be ready.
ABOUT_THE_DISASTER = frozenset({"old region reachable"})


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str
    blocking: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _replica(ctx: DrContext, budget: float) -> list[Check]:
    db = describe_db(ctx.client("rds"), ctx.target.db_id)
    if db is None:
        return [Check("replica exists", False, f"no DB instance {ctx.target.db_id} in {ctx.target_region}")]
    source = db.get("ReadReplicaSourceDBInstanceIdentifier")
    if not source:
        state = "a standalone writer already" if is_writable(db) else f"standalone, {db['DBInstanceStatus']}"
        return [Check("replica exists", False, f"{ctx.target.db_id} is {state}: nothing to promote")]
    checks = [
        Check(
            "replica exists",
            True,
            f"{ctx.target.db_id} replicates from {source} ({db['DBInstanceStatus']})",
        )
    ]
    lag = replica_lag(ctx.client("cloudwatch"), ctx.target.db_id)
    if lag is None:
        checks.append(
            Check("replica lag within budget", False, "RDS publishes no ReplicaLag: not replicating")
        )
    else:
        within = lag <= budget
        checks.append(Check("replica lag within budget", within, f"lag {lag:.1f} s, budget {budget:.0f} s"))
    return checks


def _stack(ctx: DrContext) -> Check:
    return Check(
        "standby stack healthy",
        ctx.target.status in HEALTHY_STACK_STATES,
        f"{ctx.target.name} in {ctx.target_region} is {ctx.target.status}",
    )


def _bundle(ctx: DrContext) -> list[Check]:
    """The live bundle is in the standby's bucket (the release copies nothing); whether the standby's live
    slot runs it already decides what promote's `release-live-bundle` costs (not blocking)."""
    live = live_release.find(ctx)
    if live is None:
        _, why = live_release.live_bundle_key(ctx)
        return [Check("live bundle in standby bucket", False, f"no live release found ({why})")]
    bucket = ctx.target.artifact_bucket
    where_to = f"--env {ctx.env} --from {ctx.source_region} --to {ctx.target_region}"
    remedy = f"run `relay release promote-standby {where_to}`"
    try:
        ctx.client("s3").head_object(Bucket=bucket, Key=live.key)
        present = Check(
            "live bundle in standby bucket", True, f"s3://{bucket}/{live.key}, live in {live.read_from}"
        )
    except ClientError:
        present = Check(
            "live bundle in standby bucket", False, f"s3://{bucket}/{live.key} is missing: {remedy}"
        )
    name = "standby runs the live release"
    if live.on_standby:
        own = " (the standby's own last release)" if live.read_from == ctx.target_region else ""
        live_release.expected_seconds(ctx, live)
        return [present, Check(name, True, f"{live.key}{own}: promote releases nothing", blocking=False)]
    try:
        seconds = live_release.expected_seconds(ctx, live)
    except RelayError as error:
        return [
            present,
            Check(name, False, f"cannot model a release in {ctx.target_region}: {error.message}"),
        ]
    reason = (
        f"{live.describe_standby()}, the primary runs {live.key}: promote releases it "
        f"(release-live-bundle, ~{seconds:.0f} s); {remedy} beforehand to keep that off the RTO"
    )
    return [present, Check(name, False, reason, blocking=False)]


def _slot(ctx: DrContext) -> Check:
    name = ctx.target.recorded_slot_asg
    groups = ctx.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ]
    if not groups:
        return Check("standby slot can scale", False, f"no auto scaling group {name}")
    group = groups[0]
    ok = group["MaxSize"] >= ctx.capacity
    return Check(
        "standby slot can scale",
        ok,
        f"{name}: {group['DesiredCapacity']} now, max {group['MaxSize']}, needs {ctx.capacity}",
    )


def _dns(ctx: DrContext) -> list[Check]:
    if not ctx.target.hosted_zone_id:
        reason = (
            f"no hosted zone: promote cannot move DNS, clients must be sent to {ctx.target.alb_dns_name} "
            f"by hand; `relay zone --env {ctx.env}` makes the zone, then deploy both regions with "
            "`-p HostedZoneId=<its id>`"
        )
        return [Check("Route 53 failover records", False, reason, blocking=False)]
    route53 = ctx.client("route53")
    records = failover_records(route53, ctx.target, ctx.regions)
    missing = [region for region in ctx.regions if region not in records.by_region]
    checks = [
        Check(
            "Route 53 failover records",
            not missing,
            f"{records.name}: "
            + ", ".join(f"{r} {records.role(r)}" for r in records.by_region)
            + (f"; missing for {', '.join(missing)}" if missing else ""),
        )
    ]
    check_id = ctx.target.health_check_id
    try:
        exists = bool(check_id) and bool(route53.get_health_check(HealthCheckId=check_id))
    except ClientError:
        exists = False
    checks.append(Check("Route 53 health check", exists, f"health check {check_id or 'none'} of the standby"))
    return checks


def _source(ctx: DrContext) -> Check:
    reachable = ctx.source is not None
    reason = "reachable: writers will be fenced first" if reachable else f"{ctx.source_reason}: cannot fence"
    return Check("old region reachable", reachable, reason, blocking=False)


def evaluate(ctx: DrContext, rpo_budget: float) -> list[Check]:
    """Every readiness check; then the environment's figures for the model, where the checks found what
    they need (a missing group or zone is the checks' finding: those steps keep their typical figures)."""
    checks = [_stack(ctx), *_replica(ctx, rpo_budget), *_bundle(ctx), _slot(ctx), *_dns(ctx), _source(ctx)]
    try:
        configured.record(ctx)
    except (RelayError, ClientError):
        if all(check.ok for check in checks):
            raise
    return checks


def ready(checks: list[Check], force_rpo: str | None = None) -> bool:
    """Promote's gate: every blocking check passes; --force-rpo waives only the lag budget. A promotion
    goes ahead without the rest (it releases the live bundle itself; without a zone clients move by hand)."""
    waived = {"replica lag within budget"} if force_rpo else set()
    return all(check.ok for check in checks if check.blocking and check.name not in waived)


def plan_ready(checks: list[Check]) -> bool:
    """The plan's verdict: every check of the standby says yes, so the plan runs as modelled."""
    return all(check.ok for check in checks if check.name not in ABOUT_THE_DISASTER)

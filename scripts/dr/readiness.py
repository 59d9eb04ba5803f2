"""Readiness of the standby region to take over: each check with its reason (as ARC evaluates a plan)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from scripts.dr.steps import DrContext
from scripts.dr.topology import describe_db, failover_records, is_writable, replica_lag


def live_bundle_parameter(env: str) -> str:
    """Where the release flow records the live bundle's S3 key (in both regions)."""
    return f"/relay/{env}/release/live-bundle"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str
    blocking: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def live_bundle_key(ctx: DrContext) -> str | None:
    """The live bundle's key: the standby's record first (it survives the old region), else the old's."""
    regions = [ctx.target_region] + ([ctx.source_region] if ctx.source is not None else [])
    for region in regions:
        try:
            return str(
                ctx.client("ssm", region).get_parameter(Name=live_bundle_parameter(ctx.env))["Parameter"][
                    "Value"
                ]
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ParameterNotFound":
                raise
    return None


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
            "replica exists", True, f"{ctx.target.db_id} replicates from {source} ({db['DBInstanceStatus']})"
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
        ctx.target.healthy,
        f"relay-{ctx.env} in {ctx.target_region} is {ctx.target.stack_status}",
    )


def _bundle(ctx: DrContext) -> Check:
    key = live_bundle_key(ctx)
    bucket = ctx.target.output("ArtifactBucket")
    if key is None:
        return Check(
            "live bundle in standby bucket",
            False,
            f"no {live_bundle_parameter(ctx.env)} recorded by the release",
        )
    try:
        ctx.client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError:
        return Check(
            "live bundle in standby bucket", False, f"s3://{bucket}/{key} is missing: replication behind?"
        )
    return Check("live bundle in standby bucket", True, f"s3://{bucket}/{key}")


def _slot(ctx: DrContext) -> Check:
    name = ctx.target.asg()
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
    if not ctx.target.outputs.get("HostedZoneId"):
        return [Check("Route 53 failover records", False, "the standby stack has no hosted zone")]
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
    check_id = ctx.target.outputs.get("HealthCheckId", "")
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
    """Every readiness check; a blocking one that fails makes the plan not ready."""
    return [_stack(ctx), *_replica(ctx, rpo_budget), _bundle(ctx), _slot(ctx), *_dns(ctx), _source(ctx)]


def ready(checks: list[Check], force_rpo: str | None = None) -> bool:
    """Ready when every blocking check passes; --force-rpo waives only the lag budget."""
    waived = {"replica lag within budget"} if force_rpo else set()
    return all(check.ok for check in checks if check.blocking and check.name not in waived)

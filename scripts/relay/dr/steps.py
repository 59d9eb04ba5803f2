"""The steps of a promotion: each idempotent (it looks at AWS first), each saying what it would do.

Order (ARCHITECTURE.md decision 5): fence the old writers, promote the replica and wait until it is
writable, point the standby app at it, while in parallel the standby slot scales to production size;
then release the live bundle to the standby unless it runs it already, smoke-test, move DNS and verify.
A step that finds its work done reports so and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from relay.aws import AwsFactory
from relay.dr import live_release, model
from relay.dr.journal import Journal
from relay.dr.topology import (
    Site,
    describe_db,
    failover_records,
    health_check_healthy,
    is_writable,
    read_site,
    replica_lag,
)
from relay.dr.waiting import wait_for
from relay.errors import RelayError
from relay.release.http import Endpoint
from relay.release.layout import listener_port
from relay.release.orchestrate import load_layout
from relay.release.smoke import smoke
from relay.stacks.deploy import deploy
from relay.vocabulary import SLOTS

PROMOTION_TIMEOUT_SECONDS = 3600.0  # AWS: "several minutes or longer"; large instances take longer
SCALE_TIMEOUT_SECONDS = 1200.0
SMOKE_TIMEOUT_SECONDS = 180.0  # the slot is warm: its /readyz answers within a health-check cycle or two
DNS_TIMEOUT_SECONDS = 300.0
BACKUP_RETENTION_DAYS = 7  # a promoted replica is the writer now: it needs backups at once


class StepSkipped(Exception):
    """Raised by a step that cannot or need not act; the message says why (it counts as complete)."""


@dataclass
class DrContext:
    """Everything a step needs; `source` is None when the old region does not answer."""

    aws: AwsFactory
    env: str
    source_region: str
    target_region: str
    target: Site
    source: Site | None
    source_reason: str
    capacity: int
    journal: Journal
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.target_region)
        if key not in self.clients:
            self.clients[key] = self.aws.client(service, key[1])
        return self.clients[key]

    @property
    def regions(self) -> tuple[str, str]:
        return self.source_region, self.target_region


@dataclass(frozen=True)
class Step:
    """One unit of the plan: `run` acts and returns what it did; `intent` says what it would do."""

    name: str
    title: str
    after: tuple[str, ...]
    intent: Callable[[DrContext], str]
    run: Callable[[DrContext], str]
    restores_service: bool = True  # False: bookkeeping after recovery, outside the RTO

    @property
    def typical_seconds(self) -> float:
        return model.TYPICAL_SECONDS[self.name]

    def expected_seconds(self, modelled: dict[str, float]) -> float:
        """The plan's figure for this step where it depends on the environment, else the typical one."""
        return float(modelled.get(self.name, self.typical_seconds))


def in_service(autoscaling: Any, asg_name: str) -> tuple[dict[str, Any], int]:
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"]
    if not groups:
        raise RelayError(f"auto scaling group {asg_name} does not exist; is the stack complete?")
    group = groups[0]
    healthy = [
        i for i in group["Instances"] if i["LifecycleState"] == "InService" and i["HealthStatus"] == "Healthy"
    ]
    return group, len(healthy)


# --- fence-writers ---------------------------------------------------------------------------------
def _fence_intent(ctx: DrContext) -> str:
    if ctx.source is None:
        return f"skip fencing: {ctx.source_reason}"
    slots = ", ".join(ctx.source.asg(slot) for slot in SLOTS)
    return f"scale the old region's slots to 0 ({slots}) and wait until no instance serves"


def fence_writers(ctx: DrContext) -> str:
    """Stop every app instance in the old region: with no instance, nothing can write to the old DB."""
    if ctx.source is None:
        lag = replica_lag(ctx.client("cloudwatch"), ctx.target.db_id)
        ctx.journal.facts["lag_at_fence_seconds"] = lag
        raise StepSkipped(
            f"{ctx.source_reason}; Route 53 health checks take the old region out of DNS; "
            f"replica lag {lag} s is the data at risk"
        )
    autoscaling = ctx.client("autoscaling", ctx.source_region)
    previous = ctx.journal.facts.setdefault("fenced_slots", {})
    fenced = [ctx.source.asg(slot) for slot in SLOTS]
    changed = []
    for slot, name in zip(SLOTS, fenced, strict=True):
        group, _ = in_service(autoscaling, name)
        previous.setdefault(slot, group["DesiredCapacity"])
        if group["DesiredCapacity"] or group["MinSize"]:
            autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=0, DesiredCapacity=0)
            changed.append(name)

    def drained() -> tuple[bool, int]:
        serving = sum(in_service(autoscaling, name)[1] for name in fenced)
        return serving == 0, serving

    wait_for(drained, SCALE_TIMEOUT_SECONDS, "the old region's instances to leave service")
    lag = replica_lag(ctx.client("cloudwatch"), ctx.target.db_id)
    ctx.journal.facts["lag_at_fence_seconds"] = lag
    what = f"scaled {', '.join(changed)} to 0" if changed else "old slots already at 0"
    return f"{what}; no instance serves in {ctx.source_region}; replica lag at fence {lag} s"


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

    wait_for(writable, PROMOTION_TIMEOUT_SECONDS, f"{db_id} to become a standalone writer")
    return f"{verb} {db_id}; it is standalone and available"


# --- point-app-at-db --------------------------------------------------------------------------------
def app_db_settings(ctx: DrContext) -> dict[str, str]:
    """What the standby app reads to find its writer (SSM, under AppConfigParameterPath)."""
    db = describe_db(ctx.client("rds"), ctx.target.db_id) or {}
    endpoint = db.get("Endpoint") or {}
    return {
        "DATABASE_HOST": str(endpoint.get("Address", "")),
        "DATABASE_PORT": str(endpoint.get("Port", "")),
        "DATABASE_READ_ONLY": "false",
    }


def _point_intent(ctx: DrContext) -> str:
    return (
        f"write the writer endpoint to {ctx.target.app_path}DATABASE_HOST/PORT and DATABASE_READ_ONLY=false"
    )


def point_app_at_db(ctx: DrContext) -> str:
    """Write the promoted instance's endpoint where the standby app reads its settings."""
    ssm = ctx.client("ssm")
    written = []
    for name, value in app_db_settings(ctx).items():
        full = ctx.target.app_path + name
        try:
            current = ssm.get_parameter(Name=full)["Parameter"]["Value"]
        except ssm.exceptions.ParameterNotFound:
            current = None
        if current != value:
            ssm.put_parameter(Name=full, Value=value, Type="String", Overwrite=True)
            written.append(name)
    return f"wrote {', '.join(written)}" if written else "the app already points at the writer"


# --- scale-standby-slot -----------------------------------------------------------------------------
def _scale_intent(ctx: DrContext) -> str:
    return f"scale {ctx.target.asg()} to {ctx.capacity} instance(s) and wait until they are in service"


def scale_standby_slot(ctx: DrContext) -> str:
    """Grow the standby's live slot to production size and wait for healthy instances."""
    autoscaling = ctx.client("autoscaling")
    name = ctx.target.asg()
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

    serving = wait_for(ready, SCALE_TIMEOUT_SECONDS, f"{ctx.capacity} healthy instance(s) in {name}")
    return f"{'scaled' if changed else 'already at size:'} {name} to {ctx.capacity}; {serving} in service"


# --- release-live-bundle ----------------------------------------------------------------------------
# After point-app-at-db, not beside promote-replica: the release's ready gate smoke-tests with a write
# through the test listener, which only a standalone writer the app points at can take.
def _release_intent(ctx: DrContext) -> str:
    recorded = ctx.journal.facts.get(live_release.FACT) or {}
    key = recorded.get("key", "the old primary's live bundle")
    if recorded and recorded.get("standby_key") == key:
        return f"release nothing: {ctx.target_region}'s live slot already runs {key}"
    bucket = ctx.target.outputs.get("ArtifactBucket", "the standby bucket")
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
    ctx.target = read_site(ctx.aws, ctx.env, ctx.target_region)
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
    layout = load_layout(ctx.aws, ctx.env, ctx.target_region)
    elbv2 = ctx.client("elbv2")
    return smoke(
        Endpoint(layout.dns_name, listener_port(elbv2, layout.listener)), None, SMOKE_TIMEOUT_SECONDS
    )


def _smoke_intent(ctx: DrContext) -> str:
    check = ctx.target.outputs.get("HealthCheckId") or "none"
    return f"smoke-test the standby's load balancer (a write included); Route 53 health check {check} passes"


def smoke_test(ctx: DrContext) -> str:
    """The standby serves and writes through its load balancer, and Route 53 sees it healthy."""
    db = describe_db(ctx.client("rds"), ctx.target.db_id) or {}
    if not is_writable(db):
        raise RelayError(f"{ctx.target.db_id} is not a standalone writer ({db.get('DBInstanceStatus')})")
    passed = standby_smoke(ctx)
    check_id = ctx.target.outputs.get("HealthCheckId", "")
    if check_id:
        route53 = ctx.client("route53")
        passed.append(
            wait_for(
                lambda: health_check_healthy(route53, check_id),
                SMOKE_TIMEOUT_SECONDS,
                f"health check {check_id}",
            )
        )
    return "; ".join(passed)


# --- move-dns ---------------------------------------------------------------------------------------
def _dns_intent(ctx: DrContext) -> str:
    name = ctx.target.outputs.get("RecordName", "?")
    return f"make {ctx.target_region}'s failover record of {name} PRIMARY and {ctx.source_region}'s SECONDARY"


def move_dns(ctx: DrContext) -> str:
    """Swap the failover roles of the two records in one atomic change batch, then wait until INSYNC."""
    if not ctx.target.outputs.get("HostedZoneId"):
        raise StepSkipped(f"no hosted zone: send clients to {ctx.target.outputs.get('AlbDnsName')} by hand")
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

    def in_sync() -> tuple[bool, str]:
        status = str(route53.get_change(Id=change["Id"])["ChangeInfo"]["Status"])
        return status == "INSYNC", status

    wait_for(in_sync, DNS_TIMEOUT_SECONDS, f"Route 53 change {change['Id']}")
    ttl = model.DNS_TTL_SECONDS
    return f"{ctx.target_region} is PRIMARY for {records.name}; resolvers follow within TTL {ttl} s"


# --- verify -----------------------------------------------------------------------------------------
def _verify_intent(ctx: DrContext) -> str:
    return "re-read everything: writer standalone, slot at size, DNS primary, health check passing"


def verify(ctx: DrContext) -> str:
    """Re-read the end state from AWS; fail listing every expectation that does not hold."""
    problems = []
    db = describe_db(ctx.client("rds"), ctx.target.db_id) or {}
    if not is_writable(db):
        problems.append(f"{ctx.target.db_id} is not a standalone available writer")
    serving = in_service(ctx.client("autoscaling"), ctx.target.asg())[1]
    if serving < ctx.capacity:
        problems.append(f"{ctx.target.asg()} has {serving} healthy instance(s), wants {ctx.capacity}")
    if ctx.target.outputs.get("HostedZoneId"):
        records = failover_records(ctx.client("route53"), ctx.target, ctx.regions)
        if records.role(ctx.target_region) != "PRIMARY":
            problems.append(f"{ctx.target_region}'s record is {records.role(ctx.target_region)}, not PRIMARY")
    if problems:
        raise RelayError("verification failed: " + "; ".join(problems))
    return f"writer {ctx.target.db_id} in {ctx.target_region}; {serving} instance(s) serve; DNS points here"


# --- record-new-primary / record-old-region ---------------------------------------------------------
# ARCHITECTURE.md decisions 4-6: after a failover the stacks are still the source of truth. Each record
# is a stack update with the previous template and parameter overrides (the release's ActiveSlot
# write-back), changing only what differs, so a re-run finds nothing to do.
def stack_changes(site: Site | None, wanted: dict[str, str]) -> dict[str, str]:
    """The wanted parameter values the stack declares and does not hold yet."""
    if site is None:
        return {}
    return {k: v for k, v in wanted.items() if k in site.parameters and site.parameters[k] != v}


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
            f"{ctx.target.active_slot.capitalize()}DesiredCapacity": str(ctx.capacity),
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
    return stack_changes(ctx.source, {f"{slot.capitalize()}DesiredCapacity": "0" for slot in SLOTS})


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


PROMOTE_STEPS: tuple[Step, ...] = (
    Step("fence-writers", "Fence writers in the old region", (), _fence_intent, fence_writers),
    Step("promote-replica", "Promote the read replica", ("fence-writers",), _promote_intent, promote_replica),
    Step(
        "point-app-at-db",
        "Point the standby app at the writer",
        ("promote-replica",),
        _point_intent,
        point_app_at_db,
    ),
    Step(
        "scale-standby-slot",
        "Scale the standby slot to production size",
        (),
        _scale_intent,
        scale_standby_slot,
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
    Step("move-dns", "Move DNS to the standby", ("smoke-test", "fence-writers"), _dns_intent, move_dns),
    Step("verify", "Verify the new primary", ("move-dns",), _verify_intent, verify),
    Step(
        "record-old-region",
        "Record the fenced slots in the old stack",
        ("fence-writers",),
        _record_old_intent,
        record_old_region,
        restores_service=False,
    ),
    Step(
        "record-new-primary",
        "Record the promotion in the new primary's stack",
        ("verify",),
        _record_new_intent,
        record_new_primary,
        restores_service=False,
    ),
)


def model_nodes(steps: tuple[Step, ...], modelled: dict[str, float] | None = None) -> list[model.Node]:
    return [model.Node(step.name, step.after, step.expected_seconds(modelled or {})) for step in steps]

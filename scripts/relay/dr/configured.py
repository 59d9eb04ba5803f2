"""The plan's figures that depend on the environment, read from its configuration and its state now, so each
step is modelled as what it waits for (docs/dr.md, "What the modelled RTO models")."""

from __future__ import annotations

from relay.dr import model
from relay.dr.context import DrContext
from relay.dr.live_release import MODELLED
from relay.dr.topology import failover_records, health_check_healthy, in_service
from relay.release.plan import INSTANCE_PROVISIONING_SECONDS, SMOKE_SECONDS


def old_region_seconds(ctx: DrContext, step: str) -> float:
    """fence-writers and drain-old-slots act on the old region: skipped when it does not answer."""
    return model.TYPICAL_SECONDS[step] if ctx.source is not None else 0.0


def scale_seconds(ctx: DrContext) -> float:
    """scale-standby-slot waits until the slot's group has production size in service: nothing when it
    has already, else the launch of new instances (it does not wait for warm-up: the warm instance
    serves meanwhile, and the smoke test goes through the load balancer)."""
    _, serving = in_service(ctx.client("autoscaling"), ctx.target.recorded_slot_asg)
    return 0.0 if serving >= ctx.capacity else INSTANCE_PROVISIONING_SECONDS


def smoke_seconds(ctx: DrContext) -> float:
    """smoke-test: the release's smoke checks, then Route 53 finding the standby healthy, at once when its
    health check passes now, else after the check's interval x failure threshold."""
    check_id = ctx.target.health_check_id
    if not check_id:
        return SMOKE_SECONDS
    route53 = ctx.client("route53")
    if health_check_healthy(route53, check_id)[0]:
        return SMOKE_SECONDS
    config = route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]
    return SMOKE_SECONDS + float(config.get("RequestInterval", 30)) * int(config.get("FailureThreshold", 3))


def dns_seconds(ctx: DrContext) -> float:
    """move-dns: nothing without a hosted zone (the step is skipped); else Route 53's propagation until
    INSYNC, then resolvers keep the old answer for the records' TTL (an alias record's is 60 s)."""
    if not ctx.target.hosted_zone_id:
        return 0.0
    records = failover_records(ctx.client("route53"), ctx.target, ctx.regions).by_region.values()
    ttl = max((float(record.get("TTL", model.DNS_TTL_SECONDS)) for record in records), default=0.0)
    return model.DNS_PROPAGATION_SECONDS + ttl


def record(ctx: DrContext) -> None:
    """Put the figures in the journal, so the plan, the dry-run and the report show the same ones."""
    ctx.journal.facts.setdefault(MODELLED, {}).update(
        {
            "fence-writers": old_region_seconds(ctx, "fence-writers"),
            "drain-old-slots": old_region_seconds(ctx, "drain-old-slots"),
            "scale-standby-slot": scale_seconds(ctx),
            "smoke-test": smoke_seconds(ctx),
            "move-dns": dns_seconds(ctx),
        }
    )

"""`relay zone`: the public hosted zone of an environment's failover record, made once before deploying."""

from __future__ import annotations

import click

from relay.console import progress
from relay.context import RelayContext, pass_relay
from relay.options import env_option, output_option
from relay.stacks.zone import ensure_zone
from relay.vocabulary import primary_of


@click.command("zone")
@env_option()
@output_option()
@pass_relay
def command(relay: RelayContext, env: str) -> None:
    """Print the ID of the public hosted zone holding the env's RecordName, creating the zone when absent.

    Give it to both regions' stacks: `relay stack deploy --env ENV --region R -p HostedZoneId=<id>`;
    without it a DR promotion cannot move DNS. Route 53 is global, so there is no --region.
    """
    relay.refuse_region("Route 53 is global")
    zone, zone_id, created = ensure_zone(relay.aws.client("route53", primary_of(env)), env)
    progress(f"hosted zone {zone} ({zone_id}) {'created' if created else 'exists'}")
    relay.show({"zone": zone, "id": zone_id, "created": created}, lambda: zone_id)

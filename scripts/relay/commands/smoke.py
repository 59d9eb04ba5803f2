"""`relay smoke`: the ready-gate checks against a slot, through the listener that reaches it."""

from __future__ import annotations

import click

from relay.context import RelayContext, pass_relay
from relay.release.http import Endpoint
from relay.release.layout import listener_port, live_slot, release_stack
from relay.release.smoke import smoke


@click.command("smoke")
@click.option("--env", required=True)
@click.option("--region", help="Region (default: the global --region).")
@click.option("--slot", type=click.Choice(["blue", "green"]), help="Test this slot (default: the live one).")
@click.option("--release-id", help="Expect /version to name this release.")
@pass_relay
def command(
    relay: RelayContext, env: str, region: str | None, slot: str | None, release_id: str | None
) -> None:
    """Smoke-test: /readyz, /version, a create-and-read round trip. The live slot through the production
    listener; another slot through the test listener."""
    where = region or relay.region
    stack = release_stack(relay.aws, env, where)
    elbv2 = relay.aws.client("elbv2", where)
    live = live_slot(elbv2, stack)
    listener = stack.listener_arn if slot in (None, live.name) else stack.test_listener_arn
    for passed in smoke(Endpoint(stack.alb_dns_name, listener_port(elbv2, listener)), release_id):
        click.echo(f"ok: {passed}", err=True)

"""`relay smoke`: the ready-gate checks against a slot, through the listener that reaches it."""

from __future__ import annotations

import click

from relay.context import RelayContext, pass_relay
from relay.options import env_option, output_option, region_option
from relay.release import render
from relay.release.layout import listener_endpoint, live_slot, release_stack
from relay.release.smoke import smoke, smoke_token
from relay.vocabulary import SLOTS


@click.command("smoke")
@env_option()
@region_option
@click.option("--slot", type=click.Choice(SLOTS), help="Test this slot (default: the live one).")
@click.option("--release-id", help="Expect /version to name this release.")
@output_option()
@pass_relay
def command(relay: RelayContext, env: str, slot: str | None, release_id: str | None) -> None:
    """Smoke-test: /readyz, /version, a create-and-read round trip (with a token of the stack's pipeline
    client). The live slot through the production listener; another slot through the test listener."""
    where = relay.one_region()
    stack = release_stack(relay.aws, env, where)
    elbv2 = relay.aws.client("elbv2", where)
    live = live_slot(elbv2, stack)
    tested = slot or live.name
    through = "production" if tested == live.name else "test"
    listener = stack.listener_arn if through == "production" else stack.test_listener_arn
    passed = smoke(
        listener_endpoint(relay.aws, stack, listener), release_id, token=smoke_token(relay.aws, stack)
    )
    relay.show(
        {"env": env, "region": where, "slot": tested, "listener": through, "passed": passed},
        lambda: render.smoke_table(f"{stack.name} in {where}", tested, through, passed),
    )

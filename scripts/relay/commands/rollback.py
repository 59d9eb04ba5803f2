"""`relay rollback`: all traffic back to the other (still warm) slot, recorded in the stack."""

from __future__ import annotations

import click

from relay.console import progress
from relay.context import RelayContext, pass_relay
from relay.options import env_option, output_option, region_option
from relay.release.orchestrate import rollback


@click.command("rollback")
@env_option()
@region_option
@output_option()
@pass_relay
def command(relay: RelayContext, env: str) -> None:
    """Move all traffic to the other slot if it has healthy instances; reversible, so no dry-run."""
    region = relay.one_region()
    live = rollback(relay.aws, env, region, show=progress)
    relay.show({"env": env, "region": region, "live_slot": live}, None)  # progress named the live slot

"""`relay rollback`: all traffic back to the other (still warm) slot, recorded in the stack."""

from __future__ import annotations

import click

from relay.context import RelayContext, pass_relay
from relay.release.orchestrate import rollback


@click.command("rollback")
@click.option("--env", required=True)
@click.option("--region", help="Region (default: the global --region).")
@pass_relay
def command(relay: RelayContext, env: str, region: str | None) -> None:
    """Move all traffic to the other slot if it has healthy instances; reversible, so no dry-run."""
    rollback(relay.aws, env, region or relay.region, show=lambda line: click.echo(line, err=True))

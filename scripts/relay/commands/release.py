"""`relay release`: blue/green to the idle slot; `--hold-at-ready` then `continue`|`abort`; `status`,
`promote-standby` and `--plan`."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from relay.context import RelayContext, pass_relay
from relay.release.layout import release_stack
from relay.release.orchestrate import (
    ReleaseOptions,
    ReleaseResult,
    abort,
    continue_held,
    hold,
    release,
    status,
)
from relay.release.plan import build_plan
from relay.release.standby import promote_standby

err = Console(stderr=True)


def _show(line: str) -> None:
    err.print(line, highlight=False, markup=False, soft_wrap=True)  # one line per step, as logged


@click.group("release", invoke_without_command=True)
@click.option("--env", help="Environment (demo, staging, prod).")
@click.option("--region", help="Region (default: the global --region).")
@click.option("--bundle", "bundle_url", metavar="S3URL", help="What `relay bundle --upload` printed.")
@click.option("--canary", type=click.IntRange(1, 99), help="Shift this percent first, then the rest.")
@click.option(
    "--bake", type=float, default=0.0, show_default=True, help="Seconds to watch alarms after shifting."
)
@click.option(
    "--plan", "plan_only", is_flag=True, help="Print the steps and modelled AWS durations; change nothing."
)
@click.option(
    "--hold-at-ready",
    is_flag=True,
    help="Stop after the ready gate (idle slot deployed and smoke-tested); then `continue` or `abort`.",
)
@click.pass_context
def command(
    ctx: click.Context,
    *,
    env: str | None,
    region: str | None,
    bundle_url: str | None,
    canary: int | None,
    bake: float,
    plan_only: bool,
    hold_at_ready: bool,
) -> None:
    """Release a bundle blue/green: deploy to the idle slot, smoke it, shift traffic, bake, scale in."""
    if ctx.invoked_subcommand is not None:
        return
    relay: RelayContext = ctx.ensure_object(RelayContext)
    if not env:
        raise click.UsageError("--env is required")
    where = region or relay.region
    if plan_only:
        stack = release_stack(relay.aws, env, where)
        plan = build_plan(
            relay.aws.client("elbv2", where), relay.aws.client("autoscaling", where), stack, canary, bake
        )
        table = Table(title=f"release plan for {stack.name} in {where}")
        for column in ("step", "expected", "from"):
            table.add_column(column)
        for step in plan:
            table.add_row(step.name, f"{step.seconds:.0f}s", step.source)
        total = sum(step.seconds for step in plan)
        table.add_row("[b]modelled release time[/b]", f"[b]{total:.0f}s ({total / 60:.1f} min)[/b]", "")
        Console().print(table)
        return
    if not bundle_url:
        raise click.UsageError("--bundle is required (or --plan)")
    options = ReleaseOptions(canary=canary, bake_seconds=bake)
    if hold_at_ready:
        held = hold(relay.aws, env, where, bundle_url, options, show=_show)
        _show(
            f"held at ready: run `relay release continue --env {env} --region {where}` to shift traffic, "
            f"or `relay release abort --env {env} --region {where}`"
        )
        click.echo(
            json.dumps({"release_id": held.release_id, "held_slot": held.to_slot, "state": held.state})
        )
        return
    _echo(release(relay.aws, env, where, bundle_url, options, show=_show))


def _echo(result: ReleaseResult) -> None:
    click.echo(
        json.dumps(
            {
                "release_id": result.release_id,
                "live_slot": result.to_slot,
                "deployment_id": result.deployment_id,
            }
        )
    )


@command.command("continue")
@click.option("--env", required=True)
@click.option("--region", help="Region (default: the global --region).")
@pass_relay
def continue_command(relay: RelayContext, env: str, region: str | None) -> None:
    """Shift traffic to the release held at ready (with its --canary/--bake), bake, scale the old slot in."""
    _echo(continue_held(relay.aws, env, region or relay.region, show=_show))


@command.command("abort")
@click.option("--env", required=True)
@click.option("--region", help="Region (default: the global --region).")
@pass_relay
def abort_command(relay: RelayContext, env: str, region: str | None) -> None:
    """Drop the release held at ready: traffic never moved; its slot is scaled back in."""
    held = abort(relay.aws, env, region or relay.region, show=_show)
    click.echo(json.dumps({"aborted": held.release_id, "live_slot": held.from_slot}))


@command.command("status")
@click.option("--env", required=True)
@click.option("--region", help="Region (default: the global --region).")
@pass_relay
def status_command(relay: RelayContext, env: str, region: str | None) -> None:
    """The live slot (ALB and stack), slot sizes and each slot's last deployment."""
    click.echo(json.dumps(status(relay.aws, env, region or relay.region), indent=2, default=str))


@command.command("promote-standby")
@click.option("--env", required=True)
@click.option("--from", "source", required=True, help="Primary region holding the released bundle.")
@click.option("--to", "target", required=True, help="Standby region to bring onto the same release.")
@click.option(
    "--bundle", "bundle_url", metavar="S3URL", help="Default: the primary's live slot's last revision."
)
@pass_relay
def promote_standby_command(
    relay: RelayContext, env: str, source: str, target: str, bundle_url: str | None
) -> None:
    """Copy (and verify) the bundle into the standby's bucket and release it there at its current size."""
    result = promote_standby(relay.aws, env, source, target, bundle_url=bundle_url, show=_show)
    click.echo(json.dumps({"release_id": result.release_id, "live_slot": result.to_slot, "region": target}))

"""`relay release`: blue/green to the idle slot; `--hold-at-ready` then `continue`|`abort`; `status`,
`promote-standby` and `--plan`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from rich.console import RenderableType

from relay.aws import AwsFactory
from relay.console import err, progress, say
from relay.context import RelayContext, pass_relay
from relay.options import env_option, output_option, region_option
from relay.release import hook_logs, render
from relay.release.layout import release_stack
from relay.release.orchestrate import (
    ReleaseOptions,
    abort,
    continue_held,
    hold,
    release,
    status,
)
from relay.release.plan import build_plan
from relay.release.standby import promote_standby

T = TypeVar("T")


@click.group("release", invoke_without_command=True)
@env_option(required=False)
@region_option
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
@click.option("--verbose", is_flag=True, help="After the release, list every stack output too.")
@output_option()
@click.pass_context
def command(
    ctx: click.Context,
    *,
    env: str | None,
    bundle_url: str | None,
    canary: int | None,
    bake: float,
    plan_only: bool,
    hold_at_ready: bool,
    verbose: bool,
) -> None:
    """Release a bundle blue/green: deploy to the idle slot, smoke it, shift traffic, bake, scale in."""
    if ctx.invoked_subcommand is not None:
        return
    relay: RelayContext = ctx.ensure_object(RelayContext)
    if not env:
        raise click.UsageError("--env is required")
    where = relay.one_region()
    if plan_only:
        stack = release_stack(relay.aws, env, where)
        plan = build_plan(
            relay.aws.client("elbv2", where), relay.aws.client("autoscaling", where), stack, canary, bake
        )
        relay.show(
            render.plan_document(stack.name, where, plan),
            lambda: render.plan_table(stack.name, where, plan),
        )
        return
    if not bundle_url:
        raise click.UsageError("--bundle is required (or --plan)")
    options = ReleaseOptions(canary=canary, bake_seconds=bake)
    if hold_at_ready:
        with hook_logs.shown_on_failure(relay.aws, env, where, show=progress):
            held = hold(relay.aws, env, where, bundle_url, options, show=progress)
        say(
            f"held at ready: run `relay release continue --env {env} --region {where}` to shift traffic, "
            f"or `relay release abort --env {env} --region {where}`"
        )
        relay.show(render.held_document(held), lambda: render.held_table(held))
        return
    with hook_logs.shown_on_failure(relay.aws, env, where, show=progress):
        result = release(relay.aws, env, where, bundle_url, options, show=progress)
    relay.show(render.result_document(result), lambda: render.result_table(result, verbose=verbose))
    err.print(f"try: {result.curl}/version", soft_wrap=True, markup=False)  # one line, to copy


def _one_region_subcommand(
    name: str,
    help_text: str,
    action: Callable[[AwsFactory, str, str], T],
    document: Callable[[T], object],
    view: Callable[[T], RenderableType],
) -> None:
    """Add `relay release NAME --env ENV --region REGION`: run `action` there, answer with document/view."""

    @command.command(name, help=help_text)
    @env_option()
    @region_option
    @output_option()
    @pass_relay
    def subcommand(relay: RelayContext, env: str) -> None:
        answer = action(relay.aws, env, relay.one_region())
        relay.show(document(answer), lambda: view(answer))


# Each domain function is looked up when the command runs, so the CLI's tests can answer for it.
_one_region_subcommand(
    "continue",
    "Shift traffic to the release held at ready (with its --canary/--bake), bake, scale the old slot in.",
    lambda aws, env, region: continue_held(aws, env, region, show=progress),
    render.result_document,
    render.result_table,
)
_one_region_subcommand(
    "abort",
    "Drop the release held at ready: traffic never moved; its slot is scaled back in.",
    lambda aws, env, region: abort(aws, env, region, show=progress),
    render.aborted_document,
    render.aborted_table,
)
_one_region_subcommand(
    "status",
    "The live slot (ALB and stack), slot sizes and each slot's last deployment.",
    lambda aws, env, region: status(aws, env, region),  # noqa: PLW0108 - looked up at run time
    dict,
    render.status_view,
)


@command.command("promote-standby")
@env_option()
@click.option("--from", "source", required=True, help="Primary region holding the released bundle.")
@click.option("--to", "target", required=True, help="Standby region to bring onto the same release.")
@click.option(
    "--bundle", "bundle_url", metavar="S3URL", help="Default: the primary's live slot's last revision."
)
@output_option()
@pass_relay
def promote_standby_command(
    relay: RelayContext, env: str, source: str, target: str, bundle_url: str | None
) -> None:
    """Copy (and verify) the bundle into the standby's bucket and release it there at its current size.

    The regions are --from and --to; --region is refused.
    """
    relay.refuse_region("name the regions with --from and --to")
    result = promote_standby(relay.aws, env, source, target, bundle_url=bundle_url, show=progress)
    relay.show(render.result_document(result), lambda: render.result_table(result))

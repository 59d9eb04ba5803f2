"""`relay stack`: package, preview, deploy, read and delete the root stack of an environment in a region."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from relay.console import err, out, say
from relay.context import RelayContext, pass_relay
from relay.contract import read_outputs
from relay.errors import RelayError
from relay.options import env_option, ignore_option, output_option, region_option
from relay.stacks import render
from relay.stacks.delete import delete as delete_stack
from relay.stacks.deploy import DEFAULT_TIMEOUT
from relay.stacks.deploy import deploy as deploy_stack
from relay.stacks.diff import diff as diff_stack
from relay.stacks.package import package_for
from relay.stacks.params import load_params
from relay.stacks.safety import dangerous_changes
from relay.stacks.target import StackTarget, resolve_target

F = TypeVar("F", bound=Callable[..., Any])


# -p NAME=VALUE, shared by deploy and diff.
parameter_overrides = click.option(
    "--parameter",
    "-p",
    "parameters",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a parameter (repeatable).",
)


def target_options(function: F) -> F:
    """--env, --region, --cfn-dir and --output, shared by every subcommand."""
    function = output_option()(function)
    function = click.option(
        "--cfn-dir",
        envvar="RELAY_CFN_DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="Template tree with params/ (default: $RELAY_CFN_DIR, else relay.yaml's templates).",
    )(function)
    function = region_option(function)
    return env_option()(function)


def _target(relay: RelayContext, env: str, cfn_dir: Path | None) -> StackTarget:
    return resolve_target(env, relay.one_region(), cfn_dir)


def _overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise RelayError(f"--parameter {pair!r}: expected NAME=VALUE")
        overrides[name] = value
    return overrides


@click.group("stack")
def command() -> None:
    """The root stack `<service>-<env>` per region, from main.yaml and params/<env>.<region>.json."""


@command.command()
@target_options
@pass_relay
def package(relay: RelayContext, env: str, cfn_dir: Path | None) -> None:
    """Upload child templates to the staging bucket; print the packaged root template."""
    target = _target(relay, env, cfn_dir)
    packaged = package_for(relay.aws, target, load_params(target).template)
    say(f"packaged root template: {packaged.url}")
    relay.show({"template_url": packaged.url, "template": packaged.body}, lambda: packaged.body)


@command.command()
@target_options
@click.option("--yes", is_flag=True, help="Execute without asking (pipelines).")
@click.option(
    "--allow-replacement",
    is_flag=True,
    help="Execute even when a database, bucket or other data is replaced or deleted.",
)
@click.option("--allow-drift", is_flag=True, help="Deploy over resources changed outside CloudFormation.")
@ignore_option
@parameter_overrides
@click.option(
    "--timeout",
    type=float,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for the stack to settle.",
)
@click.option("--verbose", is_flag=True, help="List every output afterwards, not only those that changed.")
@pass_relay
def deploy(
    relay: RelayContext,
    *,
    env: str,
    cfn_dir: Path | None,
    yes: bool,
    allow_replacement: bool,
    allow_drift: bool,
    ignore_file: Path | None,
    parameters: tuple[str, ...],
    timeout: float,
    verbose: bool,
) -> None:
    """Create or update the stack through a change set: preview, refuse data loss, confirm, follow events.

    Afterwards it lists the outputs that changed (--verbose: every output; `relay stack outputs` any time).
    """
    target = _target(relay, env, cfn_dir)
    result = deploy_stack(
        relay.aws,
        target.env,
        target.region,
        parameter_overrides=_overrides(parameters),
        yes=yes,
        allow_replacement=allow_replacement,
        allow_drift=allow_drift,
        ignore_file=ignore_file,
        cfn_dir=target.cfn_dir,
        timeout=timeout,
        console=err if relay.output == "json" else out,  # stdout holds only the JSON
        verbose=verbose,
    )
    relay.show(render.deploy_document(result), None)  # the tables were the answer for people


@command.command()
@target_options
@parameter_overrides
@pass_relay
def diff(relay: RelayContext, env: str, cfn_dir: Path | None, parameters: tuple[str, ...]) -> None:
    """Show what a deploy would change (a change set, created, shown and deleted; never executed)."""
    target = _target(relay, env, cfn_dir)
    change_set = diff_stack(
        relay.aws,
        target.env,
        target.region,
        parameter_overrides=_overrides(parameters),
        cfn_dir=target.cfn_dir,
    )
    dangerous = dangerous_changes(change_set.changes)
    if change_set.empty:
        say(f"no changes: {target} is up to date")
    relay.show(
        render.change_set_document(target.stack_name, target.region, change_set, dangerous),
        None if change_set.empty else lambda: render.change_set_table(change_set),
    )
    for change, reason in dangerous:
        say(
            f"[bold red]deploy would refuse without --allow-replacement: "
            f"{change.stack}/{change.logical_id} {reason}[/]"
        )


@command.command()
@target_options
@pass_relay
def outputs(relay: RelayContext, env: str, cfn_dir: Path | None) -> None:
    """Print the root stack's outputs (one JSON object for machines with --output json)."""
    target = _target(relay, env, cfn_dir)
    values = dict(
        sorted(read_outputs(relay.aws.client("cloudformation", target.region), target.stack_name).items())
    )
    relay.show(values, lambda: render.outputs_table(target.stack_name, values))


@command.command()
@target_options
@click.option(
    "--yes", is_flag=True, help="Delete without asking (without it, a non-interactive run is a dry run)."
)
@click.option(
    "--timeout",
    type=float,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for the deletion.",
)
@pass_relay
def delete(relay: RelayContext, *, env: str, cfn_dir: Path | None, yes: bool, timeout: float) -> None:
    """Delete the stack and everything in it (refused while termination protection is on)."""
    target = _target(relay, env, cfn_dir)
    status = delete_stack(
        relay.aws,
        target.env,
        target.region,
        yes=yes,
        cfn_dir=target.cfn_dir,
        timeout=timeout,
        console=err if relay.output == "json" else out,  # stdout holds only the JSON
    )
    relay.show({"stack": target.stack_name, "region": target.region, "status": status}, None)

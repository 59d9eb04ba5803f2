"""--env, --region and --output, defined once and attached to every command that takes them.

--region and --output are accepted before the command (`relay --region us-west-2 smoke ...`, the root
group's) and after it (`relay smoke --region us-west-2 ...`); both land in the RelayContext, and the one
given after the command wins. --region is repeatable: a one-region command refuses more than one
(RelayContext.one_region), drift scans each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from relay.context import OUTPUT_FORMATS, RelayContext
from relay.errors import RelayError
from relay.vocabulary import ENVIRONMENTS, REGIONS, check_environment

F = TypeVar("F", bound=Callable[..., Any])

ENV_HELP = f"Environment: {', '.join(ENVIRONMENTS)}."
REGION_HELP = (
    f"AWS region: {' or '.join(REGIONS)}. A command that works in one region needs it: there is no default, "
    "and $AWS_REGION and $AWS_DEFAULT_REGION do not count. drift takes it repeated (default: both). Given "
    "after the command, it replaces the one given before."
)
OUTPUT_HELP = (
    "table (the default) for people, json for machines (one document on stdout), junit for Jenkins "
    "(drift only). Given after the command, it replaces the one given before."
)


def _check_env(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else check_environment(value)


def env_option(*, required: bool = True) -> Callable[[F], F]:
    """--env, checked against the environments Relay knows (optional where another option can stand in)."""
    return click.option("--env", metavar="ENV", required=required, callback=_check_env, help=ENV_HELP)


def _store_regions(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> None:
    if values:
        ctx.ensure_object(RelayContext).regions = values


region_option = click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="REGION",
    expose_value=False,
    callback=_store_regions,
    help=REGION_HELP,
)


def output_option(*, formats: tuple[str, ...] = ("table", "json")) -> Callable[[F], F]:
    """--output; `formats` are what this command prints (the root group accepts all and leaves it to them)."""

    def store(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        relay = ctx.ensure_object(RelayContext)
        if value is not None:
            relay.output = value
        if relay.output not in formats:
            raise RelayError(
                f"{ctx.command_path} prints {' or '.join(formats)}, not {relay.output} "
                "(junit is for relay drift)"
            )

    return click.option(
        "--output",
        type=click.Choice(OUTPUT_FORMATS),
        expose_value=False,
        callback=store,
        help=OUTPUT_HELP,
    )

"""--config, --env, --region and --output, defined once and attached to every command that takes them.

--region and --output are accepted before the command (`relay --region us-west-2 smoke ...`, the root
group's) and after it (`relay smoke --region us-west-2 ...`); both land in the RelayContext, and the one
given after the command wins. --region is repeatable: a one-region command refuses more than one
(RelayContext.one_region), drift scans each. --config is the root group's only: it picks the relay.yaml
every command of the run reads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from relay.context import OUTPUT_FORMATS, RelayContext
from relay.errors import RelayError
from relay.service.load import CONFIG_META_KEY, current
from relay.vocabulary import all_regions, check_environment, environments

F = TypeVar("F", bound=Callable[..., Any])


def _listed(names: Callable[[], tuple[str, ...]], separator: str) -> str:
    """The names for a help text, read from the default relay.yaml; a broken file must not break --help."""
    try:
        return separator.join(names())
    except RelayError:
        return "those of relay.yaml (`relay config check` says what is wrong with it)"


ENV_HELP = f"Environment: {_listed(environments, ', ')}."
REGION_HELP = (
    f"AWS region: {_listed(all_regions, ' or ')}. A command that works in one region needs it: there is "
    "no default, and $AWS_REGION and $AWS_DEFAULT_REGION do not count. drift takes it repeated (default: "
    "both). Given after the command, it replaces the one given before."
)
OUTPUT_HELP = (
    "table (the default) for people, json for machines (one document on stdout), junit for Jenkins "
    "(drift only). Given after the command, it replaces the one given before."
)


CONFIG_HELP = (
    "The service's relay.yaml (default: $RELAY_CONFIG, else ./relay.yaml, else Relay's own): its "
    "environments, regions and templates."
)


def _store_config(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta[CONFIG_META_KEY] = value


config_option = click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="PATH",
    is_eager=True,
    expose_value=False,
    callback=_store_config,
    help=CONFIG_HELP,
)


def _check_env(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    relay = ctx.ensure_object(RelayContext)
    relay.env = check_environment(value)
    relay.aws = relay.aws.in_account(current().environment(value).account)  # its role, when it names one
    return value


def env_option(*, required: bool = True) -> Callable[[F], F]:
    """--env, checked against relay.yaml's environments (optional where another option can stand in)."""
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


IGNORE_HELP = (
    "Drift ignore rules (YAML, a reason per rule): drift they accept is shown but fails neither `relay "
    "drift` nor the deploy gate. Default: relay.yaml's drift.ignore, else drift-ignore.yaml in the "
    "templates, when present."
)

ignore_option = click.option(
    "--ignore",
    "ignore_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="PATH",
    help=IGNORE_HELP,
)

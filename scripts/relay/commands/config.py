"""`relay config`: check the service's relay.yaml; show what it resolves to, and the pipeline it implies."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Column, Table

from relay.console import progress
from relay.context import RelayContext, pass_relay
from relay.options import output_option
from relay.service.flow import FlowStage, flow
from relay.service.load import ServiceConfigError, current
from relay.service.model import ServiceConfig
from relay.tables import titled_table


@click.group("config")
def command() -> None:
    """The service's relay.yaml (--config picks another): check, show, its pipeline (docs/onboarding.md)."""


def _checked(relay: RelayContext) -> ServiceConfig:
    """The configuration; when it is wrong, each problem on its own line on stderr and exit 2."""
    relay.refuse_region("relay.yaml names each environment's regions")
    try:
        return current()
    except ServiceConfigError as error:
        for problem in error.problems:
            progress(problem)
        raise click.exceptions.Exit(2) from error


@command.command("check")
@output_option()
@pass_relay
def check_command(relay: RelayContext) -> None:
    """Validate relay.yaml (its schema, AWS's regions): exit 0 with a summary, or 2 with the errors."""
    config = _checked(relay)
    summary = f"{config.shown_as}: service {config.service}, environments " + ", ".join(
        f"{env.name} ({' + '.join(env.regions)})" for env in config.environments.values()
    )
    relay.show(
        {
            "file": config.shown_as,
            "service": config.service,
            "environments": list(config.environments),
            "regions": list(
                dict.fromkeys(region for env in config.environments.values() for region in env.regions)
            ),
        },
        lambda: summary,
    )


@command.command("show")
@output_option()
@pass_relay
def show_command(relay: RelayContext) -> None:
    """Every resolved value and its source: `relay.yaml:LINE`, or `default` when the file leaves it out."""
    config = _checked(relay)
    settings = [setting._asdict() for setting in config.settings()]
    relay.show({"file": config.shown_as, "settings": settings}, lambda: _table(config))


@command.command("flow")
@click.option(
    "--environments",
    default="",
    metavar="NAMES",
    help="Comma-separated environments to run, in relay.yaml's order whatever the order here; default: all.",
)
@output_option()
@pass_relay
def flow_command(relay: RelayContext, environments: str) -> None:
    """The stages relayPipeline runs (docs/jenkins.md): JSON for Jenkins, a table for people."""
    config = _checked(relay)
    stages = flow(config, tuple(name for name in environments.split(",") if name))
    relay.show(
        {
            "file": config.shown_as,
            "service": config.service,
            "stages": [stage.document() for stage in stages],
        },
        lambda: _flow_table(config, stages),
    )


def _flow_table(config: ServiceConfig, stages: list[FlowStage]) -> Table:
    table = titled_table(escape(f"{config.service}: the pipeline"), "stage", "region", "needs")
    for stage in stages:
        needs = [f"approval by {', '.join(stage.approvers)}"] if stage.approvers else []
        needs += ["the production branch"] if stage.production_branch else []
        table.add_row(
            escape(stage.name),
            f"{stage.region} -> {stage.to}" if stage.to else stage.region,
            escape("; ".join(needs) or "-"),
        )
    return table


def _table(config: ServiceConfig) -> Table:
    table = titled_table(escape(config.shown_as), "key", Column("value", overflow="fold"), "source")
    for setting in config.settings():
        value = setting.value
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        table.add_row(escape(setting.key), escape("-" if shown in (None, "") else str(shown)), setting.source)
    return table

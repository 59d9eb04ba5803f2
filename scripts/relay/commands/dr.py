"""`relay dr`: plan, promote, failback, drill and status of the cross-region standby (docs/dr.md).

Every subcommand answers with its timeline: a table, or with `--output json` the timeline as JSON;
plan, promote, failback and drill also write `<op>-<env>-<time>.json` and `.html` to --report-dir.
The regions are --from and --to, so a --region is refused rather than ignored; they must be two
different regions Relay knows. A run that executes holds the environment's DR claim (docs/dr.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from relay.console import say
from relay.context import RelayContext, pass_relay
from relay.dr import operations, report
from relay.dr.status_view import status_view
from relay.dr.timeline import Timeline
from relay.errors import RelayError
from relay.options import env_option, output_option
from relay.service.load import current
from relay.vocabulary import check_region, primary_of, standby_of

DEFAULT_REPORT_DIR = Path("reports/dr")


def _check_region(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else check_region(value)


def _standby(env: str) -> str:
    """The environment's standby region, for a --to left out."""
    standby = standby_of(env)
    if standby is None:
        raise RelayError(
            f"{env} has no standby region ({current().shown_as}: environments.{env}.regions); pass --to"
        )
    return standby


def _common(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options every subcommand shares: which environment, from which region, to which."""
    options = [
        env_option(),
        click.option(
            "--from",
            "source",
            show_default="the environment's primary in relay.yaml",
            callback=_check_region,
            help="The primary region now.",
        ),
        click.option(
            "--to",
            "target",
            show_default="the environment's standby in relay.yaml",
            callback=_check_region,
            help="The standby region (not --from).",
        ),
        click.option(
            "--report-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=DEFAULT_REPORT_DIR,
            show_default=True,
            help="Where the JSON and HTML timeline and the local journal copy go.",
        ),
        output_option(),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _changes(function: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the subcommands that change AWS: dry-run unless --execute with --confirm."""
    options = [
        click.option(
            "--execute", is_flag=True, help="Really do it (the default is a dry-run that changes nothing)."
        ),
        click.option(
            "--confirm", metavar="ENV-REGION", help="Confirmation: the env and the region that changes."
        ),
        click.option(
            "--rpo-budget", type=float, default=60.0, show_default=True, help="Max replica lag, seconds."
        ),
        click.option(
            "--force-rpo", metavar="REASON", help="Promote despite lag over budget; the reason is recorded."
        ),
        click.option(
            "--take-over-stale-claim",
            metavar="REASON",
            help="Take over a DR claim whose lease ran out (its run died); the reason is journalled.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _show(relay: RelayContext, result: Timeline, report_dir: Path) -> None:
    """Write the report files, then answer with the timeline (a table, or JSON for machines)."""
    json_path, html_path = report.write(result, report_dir)
    say(f"report: {escape(str(json_path))} and {escape(str(html_path))}")
    relay.show(result.to_json(), lambda: report.timeline_view(result))


def _progress(name: str, status: str, detail: str) -> None:
    say(f"[bold]{escape(name)}[/]: {escape(status)} — {escape(detail)}")


def _request(**kwargs: Any) -> operations.Request:
    return operations.Request(
        env=kwargs["env"],
        source=kwargs["source"] or primary_of(kwargs["env"]),
        target=kwargs["target"] or _standby(kwargs["env"]),
        report_dir=kwargs["report_dir"],
        execute=kwargs.get("execute", False),
        confirm=kwargs.get("confirm"),
        rpo_budget=kwargs.get("rpo_budget", 60.0),
        force_rpo=kwargs.get("force_rpo"),
        take_over_stale_claim=kwargs.get("take_over_stale_claim"),
    )


@click.group("dr")
@pass_relay
def command(relay: RelayContext) -> None:
    """Cross-region disaster recovery: plan, promote, failback, drill, status (see docs/dr.md).

    The regions are --from (the primary now) and --to (the standby); --region is refused.
    """
    relay.refuse_region("name the regions with --from and --to")


@command.command("plan")
@_common
@click.option("--rpo-budget", type=float, default=60.0, show_default=True, help="Max replica lag, seconds.")
@pass_relay
def plan_command(relay: RelayContext, /, **kwargs: Any) -> None:
    """Readiness with reasons, the steps with modelled durations, the modelled RTO. Exit 1 when any check
    of the standby says no (docs/dr.md says what to run for each)."""
    result, ok = operations.plan(relay.aws, _request(**kwargs))
    _show(relay, result, kwargs["report_dir"])
    if not ok:
        raise click.exceptions.Exit(1)


@command.command("promote")
@_common
@_changes
@pass_relay
def promote_command(relay: RelayContext, /, **kwargs: Any) -> None:
    """Fail over to --to: fence, promote the replica, scale, smoke-test, move DNS, verify (resumable)."""
    _show(relay, operations.promote(relay.aws, _request(**kwargs), _progress), kwargs["report_dir"])


@command.command("failback")
@_common
@_changes
@pass_relay
def failback_command(relay: RelayContext, /, **kwargs: Any) -> None:
    """Re-protect after a promotion: --from becomes a replica of --to again (confirm with ENV-FROM)."""
    _show(relay, operations.failback(relay.aws, _request(**kwargs), _progress), kwargs["report_dir"])


@command.command("drill")
@_common
@_changes
@pass_relay
def drill_command(relay: RelayContext, /, **kwargs: Any) -> None:
    """Practise the whole cycle (demo or staging): promote, verify, failback; records the last drill."""
    _show(relay, operations.drill(relay.aws, _request(**kwargs), _progress), kwargs["report_dir"])


@command.command("status")
@_common
@pass_relay
def status_command(relay: RelayContext, /, **kwargs: Any) -> None:
    """Which region is live, each database's role and lag, the journals, the last drill."""
    request = _request(**kwargs)
    answer = operations.status(relay.aws, request.env, (request.source, request.target), request.report_dir)
    relay.show(answer, lambda: status_view(answer))

"""`relay drift`: drift of root and nested stacks, in every region asked for, as one report."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from relay.console import progress, say, write
from relay.context import OUTPUT_FORMATS, RelayContext, pass_relay
from relay.contract import stack_name
from relay.drift.detection import Polling
from relay.drift.ignore import rules_for
from relay.drift.render import html_page
from relay.drift.render.json_report import scan_document
from relay.drift.render.junit import scan_junit
from relay.drift.render.table import scan_table
from relay.drift.scan import ScanOptions, scan
from relay.drift.template_drift import DEFAULT_TEMPLATE_DIR, TemplateSource
from relay.errors import RelayError
from relay.options import env_option, ignore_option, output_option, region_option
from relay.vocabulary import all_regions, environments, regions_of


@click.command("drift")
@click.option("--stack", "stacks", multiple=True, metavar="NAME", help="Root stack to scan (repeatable).")
@click.option(
    "--all",
    "scan_all",
    is_flag=True,
    help="Scan every root stack of each region, other services' too (default: this service's stacks).",
)
@env_option(required=False)
@region_option
@ignore_option
@output_option(formats=OUTPUT_FORMATS)
@click.option(
    "--junit-file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the JUnit XML report to this file, from the same scan (for CI next to --output).",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write drift-<time>.json and a self-contained .html report here (as `relay dr` does).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=64,
    show_default=True,
    help="Most stacks in flight per region (regions run in parallel); how fast they start adapts to"
    " AWS's throttling.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_TEMPLATE_DIR,
    show_default=True,
    help="The repository's cloudformation/ folder, for template drift.",
)
@click.option(
    "--timeout",
    type=float,
    default=900.0,
    show_default=True,
    help="Seconds to wait for one stack's detection before reporting it not checked.",
)
@click.option(
    "--verbose",
    is_flag=True,
    help="List every resource in the table, not only the findings (JSON and JUnit always list all).",
)
@pass_relay
def command(  # noqa: PLR0917 - click passes each option as an argument
    relay: RelayContext,
    stacks: tuple[str, ...],
    scan_all: bool,
    env: str | None,
    ignore_file: Path | None,
    junit_file: Path | None,
    report_dir: Path | None,
    concurrency: int,
    templates: Path,
    timeout: float,
    verbose: bool,
) -> int:
    """Detect drift in root stacks and all their nested stacks, regions in parallel.

    Without --stack or --all it scans the service's own root stacks (`<service>-<env>` of each
    relay.yaml environment with a stack in the region), in each --region given (default: the service's
    regions). With --env, that environment's stack only, in its regions, through the role of its
    account when relay.yaml names one. Exit code 0: in sync; 2: drift (resources or templates); 1:
    something could not be checked.
    """
    if stacks and scan_all:
        raise RelayError("--stack names the stacks and --all scans every one: give one of them")
    regions = list(relay.regions or (regions_of(env) if env else all_regions()))
    chosen = (env,) if env else environments()
    options = ScanOptions(
        stacks=stacks,
        roots_by_region=None if stacks or scan_all else _service_stacks(regions, chosen),
        concurrency=concurrency,
        ignore_rules=rules_for(ignore_file, templates),
        templates=TemplateSource(templates),
        polling=Polling(timeout=timeout),
    )
    report = scan(relay.aws, regions, options, progress)
    if relay.output == "junit":
        write(scan_junit(report))
    else:
        relay.show(scan_document(report), lambda: scan_table(report, verbose=verbose))
    if junit_file is not None:
        junit_file.parent.mkdir(parents=True, exist_ok=True)
        junit_file.write_text(scan_junit(report))
    if report_dir is not None:
        json_path, html_path = html_page.write(report, report_dir)
        say(f"report: {escape(str(json_path))} and {escape(str(html_path))}")
    return report.exit_code


def _service_stacks(regions: list[str], envs: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Per region, the root stacks of those environments that have that region."""
    return {
        region: frozenset(stack_name(env) for env in envs if region in regions_of(env)) for region in regions
    }

"""The scan: regions in parallel; in each, a bounded pool finds the trees, then checks every stack."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from relay.aws import AwsFactory
from relay.drift import detection, discovery, ignore
from relay.drift.model import RootReport, ScanReport, StackResult
from relay.drift.pacing import AdaptivePace
from relay.drift.template_drift import TemplateSource, check_tree
from relay.errors import RelayError
from relay.stacks.tree import StackNode, stack_tree
from relay.waiting import Throttled

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ScanOptions:
    stacks: tuple[str, ...] = ()  # empty: every root stack of the region (or of `roots_by_region`)
    # Per region, the root stacks to keep (a service's own); None keeps every one.
    roots_by_region: Mapping[str, frozenset[str]] | None = None
    concurrency: int = 64  # most stacks in flight per region; throttling sets how fast they start
    ignore_rules: tuple[ignore.IgnoreRule, ...] = ()
    templates: TemplateSource | None = field(default_factory=TemplateSource)  # None: skip template drift
    polling: detection.Polling = field(default_factory=detection.Polling)


def _root_stacks(cfn: object, region: str, options: ScanOptions) -> list[dict[str, Any]]:
    if options.stacks:
        return discovery.named_stacks(cfn, list(options.stacks), region)
    roots = [stack for stack in discovery.all_stacks(cfn) if not stack.get("ParentId")]
    if options.roots_by_region is None:
        return roots
    wanted = options.roots_by_region.get(region, frozenset())
    return [stack for stack in roots if stack["StackName"] in wanted]


def scan_region(aws: AwsFactory, region: str, options: ScanOptions, progress: Progress) -> list[RootReport]:
    """Every root stack of the region (or the named ones), each with its nested stacks.

    One bounded pool does everything: a root's stacks are checked as soon as its tree is known, so
    discovery and detection overlap instead of waiting for each other. Detections start as fast as AWS's
    throttling allows (relay.drift.pacing), at most `options.concurrency` in flight.
    """
    cfn = aws.client("cloudformation", region)
    stacks = _root_stacks(cfn, region, options)
    pace = AdaptivePace(options.concurrency)
    pace.watch(cfn)

    def paced_check(node: StackNode) -> StackResult:
        with pace.slot():
            return detection.check(cfn, node, region, options.polling)

    checks: dict[str, Future[StackResult]] = {}
    with ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix=f"drift-{region}") as pool:
        trees = [pool.submit(stack_tree, cfn, stack["StackId"], stack["StackName"]) for stack in stacks]
        for done in as_completed(trees):
            for node in done.result().walk():
                checks[node.stack_id] = pool.submit(paced_check, node)
        found = [tree.result() for tree in trees]
        roots = found if options.stacks else discovery.drop_nested(found)
        note = f"; throttled, paced down to {pace.lowest_rate:.1f} stacks/s" if pace.lowest_rate else ""
        progress(f"{region}: checked {len(checks)} stacks under {len(roots)} root stacks{note}")
        results = {stack_id: check.result() for stack_id, check in checks.items()}
        if options.templates is not None:
            templates = options.templates
            for drifts in pool.map(lambda root: check_tree(cfn, root, region, templates), roots):
                for stack_id, drift in drifts.items():
                    results[stack_id].template = drift
    reports = []
    for root in roots:
        report = RootReport(region, root.name, [results[node.stack_id] for node in root.walk()])
        ignore.apply(list(options.ignore_rules), report)
        report.stacks = [detection.settle(stack) for stack in report.stacks]
        reports.append(report)
    return reports


def scan(aws: AwsFactory, regions: list[str], options: ScanOptions, progress: Progress) -> ScanReport:
    """All regions at once; a region that fails is an error in the report, not a silent gap."""
    report = ScanReport()

    def one(region: str) -> list[RootReport]:
        try:
            return scan_region(aws, region, options, progress)
        except (RelayError, ClientError, BotoCoreError, Throttled) as error:
            message = error.message if isinstance(error, RelayError) else str(error)
            report.errors.append(f"{region}: {message}")
            return []

    with ThreadPoolExecutor(max_workers=max(1, len(regions)), thread_name_prefix="drift-region") as pool:
        for roots in pool.map(one, regions):
            report.roots.extend(roots)
    return report

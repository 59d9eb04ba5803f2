"""The live release a promotion must leave serving in the standby, and whether the standby runs it already.

The live release is the newest successful CodeDeploy revision of the old primary's live slot (the release
team's `last_released`); when the old region does not answer, the standby's own last release stands in
(`relay release promote-standby` keeps it on the primary's bundle). Bundle keys are content-addressed,
so the same key names the same bundle in both regions' buckets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from botocore.exceptions import BotoCoreError, ClientError

from relay.aws import AwsFactory
from relay.dr.context import DrContext
from relay.errors import RelayError
from relay.release import ReleaseOptions, release
from relay.release.codedeploy import s3_location
from relay.release.layout import release_stack
from relay.release.orchestrate import ReleaseResult
from relay.release.plan import build_plan
from relay.release.standby import last_released

FACT = "live_release"  # journal fact: what the plan found, so a resumed run releases the same bundle
MODELLED = "modelled_seconds"  # journal fact: per-step modelled durations that depend on the plan
STEP = "release-live-bundle"


@dataclass(frozen=True)
class LiveRelease:
    """The live bundle's key, the region it was read from, and what the standby's live slot runs."""

    key: str
    read_from: str
    standby_key: str | None
    standby_reason: str = ""

    @property
    def on_standby(self) -> bool:
        return self.standby_key == self.key

    def describe_standby(self) -> str:
        return self.standby_key or f"no successful release ({self.standby_reason})"


def _key_in(aws: AwsFactory, env: str, region: str) -> str:
    return s3_location(last_released(aws, env, region))[1]


def live_bundle_key(ctx: DrContext) -> tuple[str | None, str]:
    """The live release's bundle key and the region it was read from (else None and why not)."""
    regions = ([ctx.source_region] if ctx.source is not None else []) + [ctx.target_region]
    reasons = []
    for region in regions:
        try:
            return _key_in(ctx.aws, ctx.env, region), region
        except (RelayError, ClientError, BotoCoreError) as error:
            reasons.append(f"{region}: {error.message if isinstance(error, RelayError) else error}")
    return None, "; ".join(reasons)


def standby_key(ctx: DrContext) -> tuple[str | None, str]:
    """The bundle key of the standby live slot's last successful deployment, or None and why."""
    try:
        return _key_in(ctx.aws, ctx.env, ctx.target_region), ""
    except RelayError as error:
        return None, error.message


def find(ctx: DrContext) -> LiveRelease | None:
    """The live release as the journal recorded it (plan time), else read now; None when none is found."""
    recorded = ctx.journal.facts.get(FACT)
    if recorded:
        key, read_from = str(recorded["key"]), str(recorded["read_from"])
    else:
        found, read_from = live_bundle_key(ctx)
        if found is None:
            return None
        key = found
    on_standby, reason = (key, "") if read_from == ctx.target_region else standby_key(ctx)
    live = LiveRelease(key, read_from, on_standby, reason)
    ctx.journal.facts[FACT] = asdict(live)
    return live


def modelled_release_seconds(ctx: DrContext) -> float:
    """The release team's model of a release in the standby at its configuration (`relay release --plan`)."""
    stack = release_stack(ctx.aws, ctx.env, ctx.target_region)
    plan = build_plan(ctx.client("elbv2"), ctx.client("autoscaling"), stack, None, 0.0)
    return sum(step.seconds for step in plan)


def expected_seconds(ctx: DrContext, live: LiveRelease) -> float:
    """What the step `release-live-bundle` is modelled to take: nothing when the standby runs the release;
    recorded in the journal so the plan, the dry-run and the report show the same figure."""
    seconds = 0.0 if live.on_standby else modelled_release_seconds(ctx)
    ctx.journal.facts.setdefault(MODELLED, {})[STEP] = seconds
    return seconds


def release_to_standby(ctx: DrContext, live: LiveRelease, show: Callable[[str], None]) -> ReleaseResult:
    """`relay release` of the live bundle from the standby's own bucket (it copies nothing) at production
    size: blue/green onto the idle slot, which becomes the live one."""
    url = f"s3://{ctx.target.artifact_bucket}/{live.key}"
    return release(ctx.aws, ctx.env, ctx.target_region, url, ReleaseOptions(capacity=ctx.capacity), show=show)

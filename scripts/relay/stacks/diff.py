"""Preview a deployment: the change set a deploy would run, shown and then deleted."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from relay.aws import AwsFactory
from relay.stacks.changeset import ChangeSet, delete_change_set
from relay.stacks.deploy import plan
from relay.stacks.target import resolve_target


def diff(
    aws: AwsFactory,
    env: str,
    region: str,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    cfn_dir: Path | None = None,
) -> ChangeSet:
    """The change set `relay stack deploy` would execute; nothing is left behind in the account."""
    target = resolve_target(env, region, cfn_dir)
    # The drift gate guards executions, not previews: a diff is how one looks at a drifted stack.
    change_set = plan(
        aws, target, parameter_overrides=parameter_overrides, allow_drift=True, checks=()
    ).change_set
    delete_change_set(aws.client("cloudformation", region), change_set)
    return change_set

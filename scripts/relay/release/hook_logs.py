"""When a release's deployment fails: the failed hook's output, from CloudWatch Logs, where operators look.

Each instance's CloudWatch agent ships the CodeDeploy agent's deployment log (every hook's output) to
`/relay/<env>/codedeploy`, one stream per instance (codedeploy/cloudwatch-agent.json, the log groups of
cloudformation/templates/monitoring.yaml). The agent sends every few seconds, so the tail is awaited
briefly; a log that cannot be read is said, and never hides the release's own error.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from relay.aws import AwsFactory
from relay.contract import parameter_path
from relay.errors import RelayError
from relay.release.layout import release_stack

TAIL_LINES = 40
WAIT_SECONDS = 15.0  # the CloudWatch agent flushes every 5 s (force_flush_interval)


def hook_log_group(env: str) -> str:
    """The log group of the deployment hooks' output (monitoring.yaml's HookLogGroup)."""
    return parameter_path(env, "codedeploy")


@dataclass(frozen=True)
class FailedHook:
    """One instance's failed lifecycle event."""

    instance_id: str
    event: str
    script: str
    started: datetime


def failed_hooks(codedeploy: Any, application: str, groups: list[str], since: datetime) -> list[FailedHook]:
    """The failed events of the deployments to `groups` that were created since `since` and failed."""
    ids = [
        deployment_id
        for group in groups
        for deployment_id in codedeploy.list_deployments(
            applicationName=application, deploymentGroupName=group
        ).get("deployments", [])
    ]
    found: list[FailedHook] = []
    for offset in range(0, len(ids), 25):
        infos = codedeploy.batch_get_deployments(deploymentIds=ids[offset : offset + 25])["deploymentsInfo"]
        for info in infos:
            if info["status"] != "Failed" or info["createTime"] < since:
                continue
            targets = codedeploy.list_deployment_targets(
                deploymentId=info["deploymentId"], targetFilters={"TargetStatus": ["Failed"]}
            ).get("targetIds", [])
            for target_id in targets:
                target = codedeploy.get_deployment_target(
                    deploymentId=info["deploymentId"], targetId=target_id
                )
                events = target["deploymentTarget"]["instanceTarget"].get("lifecycleEvents", [])
                found += [
                    FailedHook(
                        target_id,
                        event["lifecycleEventName"],
                        (event.get("diagnostics") or {}).get("scriptName", ""),
                        event.get("startTime") or info["createTime"],
                    )
                    for event in events
                    if event["status"] == "Failed"
                ]
    return found


def tail(
    logs: Any,
    group: str,
    stream: str,
    since: datetime,
    *,
    script: str = "",
    wait_seconds: float = WAIT_SECONDS,
) -> list[str]:
    """The stream's last TAIL_LINES lines, once it has some from `since` on that name the failed `script`
    (when known), or when the wait is over. The agent may stamp lines when it ships them, so an earlier
    hook's lines can be "since" too: the script's own name (the agent's `Script - hooks/x.sh` line) is what
    says its output has arrived."""
    deadline = time.monotonic() + wait_seconds
    since_ms = int(since.timestamp() * 1000)
    while True:
        try:
            events = logs.get_log_events(
                logGroupName=group, logStreamName=stream, limit=TAIL_LINES, startFromHead=False
            )["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        recent = [str(event["message"]) for event in events if event["timestamp"] >= since_ms]
        arrived = any(script in message for message in recent) if script else bool(recent)
        if arrived or time.monotonic() >= deadline:
            return [str(event["message"]) for event in events]
        time.sleep(1.0)


def report(aws: AwsFactory, env: str, region: str, since: datetime) -> list[str]:
    """Lines to show: each failed hook since `since`, with its log tail from CloudWatch Logs."""
    try:
        stack = release_stack(aws, env, region)
    except RelayError:  # no stack to release to: no deployment ran
        return []
    hooks = failed_hooks(
        aws.client("codedeploy", region),
        stack.codedeploy_application,
        [slot.deployment_group for slot in stack.slots],
        since,
    )
    logs, group = aws.client("logs", region), hook_log_group(env)
    lines: list[str] = []
    for hook in hooks:
        what = f"{hook.instance_id} {hook.event}" + (f" ({hook.script})" if hook.script else "")
        found = tail(logs, group, hook.instance_id, hook.started, script=hook.script)
        if not found:
            lines.append(f"{what}: no log in CloudWatch Logs {group} (is the CloudWatch agent running?)")
            continue
        lines.append(f"{what}: last {len(found)} lines of CloudWatch Logs {group}/{hook.instance_id}:")
        lines += [f"  {line}" for line in found]
    return lines


@contextlib.contextmanager
def shown_on_failure(aws: AwsFactory, env: str, region: str, show: Callable[[str], None]) -> Iterator[None]:
    """Around a release: when it fails, show the failed hooks' logs before its error."""
    started = datetime.now(UTC)
    try:
        yield
    except RelayError:
        try:
            for line in report(aws, env, region, started):
                show(line)
        except (BotoCoreError, ClientError) as error:
            show(f"the failed hooks' logs could not be read from CloudWatch Logs: {error}")
        raise

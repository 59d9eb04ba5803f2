"""Logs where operators look: a release whose build cannot start fails its ValidateService hook, and
`relay release` prints that hook's output as the instance's CloudWatch agent shipped it to CloudWatch
Logs; the app's own lines (its start-up error) are in the app's log group."""

from __future__ import annotations

from pathlib import Path

import pytest

from relay.aws import AwsFactory
from relay.cli import main
from relay.contract import read_root_stack
from relay.release.hook_logs import hook_log_group

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)


def test_a_failed_hook_s_output_is_printed_from_cloudwatch_logs(
    aws: AwsFactory, stack: str, broken_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    key = "bundles/broken.zip"
    aws.client("s3", REGION).put_object(
        Bucket=root.artifact_bucket,
        Key=key,
        Body=broken_bundle.read_bytes(),
        Metadata={"release-id": "test-broken"},
    )
    capsys.readouterr()
    code = main(
        [
            *("--endpoint-url", str(aws.endpoint_url), "--region", REGION),
            *("release", "--env", ENV, "--bundle", f"s3://{root.artifact_bucket}/{key}"),
        ]
    )
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert code != 0, shown
    group = hook_log_group(ENV)
    assert "ValidateService (hooks/validate.sh): last" in shown, shown
    assert f"lines of CloudWatch Logs {group}/i-" in shown
    # The hook's own words, as the agent shipped them: validate.sh gave up on /readyz.
    assert "release test-broken not ready on" in shown
    assert "broken build: the app cannot start" in shown  # and why: the app's last lines, from validate.sh
    logs = aws.client("logs", REGION)
    groups = {
        g["logGroupName"]: g
        for g in logs.describe_log_groups(logGroupNamePrefix=f"/relay/{ENV}/")["logGroups"]
    }
    assert groups[group]["retentionInDays"] == 30
    app_lines = logs.filter_log_events(logGroupName=f"/relay/{ENV}/app", filterPattern='"cannot start"')[
        "events"
    ]
    assert any("broken build: the app cannot start" in event["message"] for event in app_lines)

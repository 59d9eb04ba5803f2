"""The ready gate on the emulator: `relay release --hold-at-ready` deploys and smoke-tests the idle slot and
moves no traffic; `continue` finishes through the same code as an uninterrupted release; `abort` scales the
idle slot back in. The pending record keeps every other release (and `relay rollback`) out meanwhile."""

from __future__ import annotations

import json

import pytest

from relay.aws import AwsFactory
from relay.cli import main
from relay.contract import read_root_stack
from relay.release import ReleaseOptions
from relay.release import pending as pending_record
from relay.release.bundle import Bundle
from relay.release.layout import listener_endpoint, listener_weights
from relay.release.orchestrate import hold, status
from relay.release.upload import upload

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)
WHERE = ["--env", ENV, "--region", REGION]


def version(aws: AwsFactory, listener: str) -> object:
    stack = read_root_stack(aws, ENV, REGION)
    endpoint = listener_endpoint(aws, stack, listener)
    answer = endpoint.request("GET", "/version")[1]
    return answer["release_id"] if isinstance(answer, dict) else answer


def relay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return its exit code and what it alone printed."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_hold_continue_and_abort(
    aws: AwsFactory, stack: str, bundle: Bundle, next_bundle: Bundle, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = read_root_stack(aws, ENV, REGION)
    elbv2, ssm, scaling = (aws.client(name, REGION) for name in ("elbv2", "ssm", "autoscaling"))
    s3 = aws.client("s3", REGION)
    first, second = upload(s3, stack.artifact_bucket, bundle), upload(s3, stack.artifact_bucket, next_bundle)
    live = status(aws, ENV, REGION)["live_slot"]
    weights = listener_weights(elbv2, stack.listener_arn)

    held = hold(aws, ENV, REGION, first, ReleaseOptions(bake_seconds=1))
    assert (held.state, held.from_slot, held.to_slot) == ("ready", live, stack.other_slot(live).name)
    assert version(aws, stack.test_listener_arn) == "test-1"
    assert listener_weights(elbv2, stack.listener_arn) == weights  # production untouched
    assert pending_record.load(ssm, ENV) == held

    code, out, err = relay(
        capsys, "--output", "json", "release", *WHERE, "--bundle", first, "--hold-at-ready"
    )  # a re-run
    assert code == 0, err
    assert "nothing to do" in err
    assert (
        f"held at ready: run `relay release continue --env {ENV} --region {REGION}` to shift traffic, "
        f"or `relay release abort --env {ENV} --region {REGION}`"
    ) in err
    assert json.loads(out)["state"] == "ready"
    assert pending_record.load(ssm, ENV) == held  # same deployment: nothing was redeployed

    code, _, err = relay(capsys, "release", *WHERE, "--bundle", second)
    assert code == 1 and "is held at ready" in err and "relay release abort --env demo" in err
    code, _, err = relay(capsys, "rollback", *WHERE)
    assert code == 1 and "is held at ready" in err

    code, out, err = relay(capsys, "--output", "json", "release", "continue", *WHERE)
    assert code == 0, err
    answer = json.loads(out)
    assert answer["live_slot"] == held.to_slot
    assert answer["outputs"]["ActiveSlot"] == held.to_slot  # the outputs as recorded, for machines
    assert answer["url"] == f"http://{stack.alb_dns_name}:80" and "--connect-to" in answer["curl"]
    assert status(aws, ENV, REGION)["stack_active_slot"] == held.to_slot  # recorded in the stack
    assert version(aws, stack.listener_arn) == "test-1"
    assert pending_record.load(ssm, ENV) is None
    old_asg = stack.asg(held.from_slot)
    assert (
        scaling.describe_auto_scaling_groups(AutoScalingGroupNames=[old_asg])["AutoScalingGroups"][0][
            "Instances"
        ]
        == []
    )
    code, _, err = relay(capsys, "release", "continue", *WHERE)
    assert code == 1 and f"no release is pending in {ENV}/{REGION}: nothing to continue" in err

    code, out, err = relay(capsys, "release", *WHERE, "--bundle", second, "--hold-at-ready")
    assert code == 0, err
    assert "release test-2 is held at ready" in out  # a table for people
    assert version(aws, stack.test_listener_arn) == "test-2"
    code, out, err = relay(capsys, "release", "abort", *WHERE, "--output", "json")
    assert code == 0, err
    assert json.loads(out) == {"aborted": "test-2", "live_slot": held.to_slot}
    assert status(aws, ENV, REGION)["slots"][held.from_slot]["instances"] == 0
    assert version(aws, stack.listener_arn) == "test-1"
    assert pending_record.load(ssm, ENV) is None
    code, _, err = relay(capsys, "release", "abort", *WHERE)
    assert code == 1 and "nothing to abort" in err

"""`relay drift` against AWS-style rate limits (the emulator's token buckets): every stack is checked,
nothing unchecked is called in sync, and the scan slows its starts down instead of giving up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from drift_helpers import REGION, DeployedStack, Relay, deploy

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control

# Tight enough that three nested stacks started at once exceed them: one detection a second.
RATE_LIMITS = {
    "cfn-read": {
        "actions": ["cloudformation:Describe*", "cloudformation:List*", "cloudformation:Get*"],
        "rate": 4,
        "burst": 4,
    },
    "cfn-detect": {"actions": ["cloudformation:DetectStackDrift"], "rate": 1, "burst": 1},
}


@pytest.fixture
def throttled(emulator: EmulatorState) -> Iterator[None]:
    """The rate limits in force for the test's scan (not for its set-up), cleared afterwards."""
    yield
    control(emulator.port, "/relay-api/faults", {"rate_limits": {}})


def _scan(relay: Relay, stacks: list[DeployedStack]) -> tuple[int, dict[str, Any]]:
    named = [arg for stack in stacks for arg in ("--stack", stack.name)]
    code, out = relay(
        "--output", "json", "drift", *named, "--region", REGION, "--templates", str(stacks[0].templates)
    )
    return code, json.loads(out)


def test_a_throttled_scan_checks_every_stack_and_reports_nothing_unchecked_in_sync(
    aws: AwsFactory, tmp_path: Path, relay: Relay, emulator: EmulatorState, throttled: None
) -> None:
    stacks = [deploy(aws, tmp_path) for _ in range(3)]
    changed = stacks[0]
    aws.client("ssm", REGION).put_parameter(
        Name=changed.parameter_name, Value="off", Type="String", Overwrite=True
    )
    control(emulator.port, "/relay-api/faults", {"rate_limits": RATE_LIMITS})

    code, report = _scan(relay, stacks)

    buckets = control(emulator.port, "/relay-api/throttling", method="GET")["buckets"]  # type: ignore[index]
    assert sum(bucket["refused"] for bucket in buckets) > 0, "the limits never refused a call: tighten them"
    assert code == 2
    found = {stack["label"]: stack for root in report["roots"] for stack in root["stacks"]}
    assert set(found) == {label for stack in stacks for label in (stack.name, f"{stack.name}/Network")}
    for label, stack in found.items():
        assert stack["status"] in ("IN_SYNC", "DRIFTED"), (label, stack["reason"])
        unchecked = [r for r in stack["resources"] if r["status"] == "NOT_CHECKED"]
        assert all("not supported" in r["reason"] for r in unchecked), unchecked
    assert found[f"{changed.name}/Network"]["status"] == "DRIFTED"
    assert all(found[f"{stack.name}/Network"]["status"] == "IN_SYNC" for stack in stacks[1:])

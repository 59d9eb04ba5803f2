"""AWS-style rate limits: a token bucket per account, region and API family, refusing the excess with
`Throttling: Rate exceeded` (HTTP 400); other regions, families and actions keep answering."""

from __future__ import annotations

import urllib.error
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control

READS = {"actions": ["cloudformation:Describe*", "cloudformation:List*"], "rate": 0.01, "burst": 3}
DETECTS = {"actions": ["cloudformation:DetectStackDrift"], "rate": 0.01, "burst": 1}


@pytest.fixture
def limits(emulator: EmulatorState) -> Iterator[Any]:
    def post(rate_limits: dict[str, Any]) -> Any:
        return control(emulator.port, "/relay-api/faults", {"rate_limits": rate_limits})

    yield post
    control(emulator.port, "/relay-api/faults", {"rate_limits": {}})


def _cfn(emulator: EmulatorState, region: str) -> Any:
    """A client that does not retry, so every refusal shows."""
    config = Config(retries={"mode": "standard", "max_attempts": 1})
    return boto3.client("cloudformation", region_name=region, endpoint_url=emulator.endpoint, config=config)


def _refused(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as refused:
        call()
    return {
        "error": refused.value.response["Error"],
        "status": refused.value.response["ResponseMetadata"]["HTTPStatusCode"],
    }


def test_a_family_passes_its_burst_then_answers_throttling_as_aws_does(
    emulator: EmulatorState, limits: Any
) -> None:
    limits({"cfn-read": READS})
    east = _cfn(emulator, "us-east-1")

    for _ in range(3):
        east.list_stacks()
    refusal = _refused(east.describe_stacks)

    assert refusal == {
        "error": {"Type": "Sender", "Code": "Throttling", "Message": "Rate exceeded"},
        "status": 400,
    }
    _refused(east.list_stacks)  # the family shares one bucket
    east.validate_template(TemplateBody='{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')  # no family
    for _ in range(3):
        _cfn(emulator, "us-west-2").list_stacks()  # another region has its own bucket


def test_each_family_has_its_own_bucket_and_the_counts_say_what_passed(
    emulator: EmulatorState, limits: Any
) -> None:
    limits({"cfn-read": READS, "cfn-detect": DETECTS})
    east = _cfn(emulator, "us-east-1")
    for _ in range(3):
        east.list_stacks()
    _refused(east.list_stacks)

    with pytest.raises(ClientError) as missing:
        east.detect_stack_drift(StackName="no-such-stack")  # admitted: the stack's absence is the answer
    assert missing.value.response["Error"]["Code"] == "ValidationError"
    assert (
        _refused(lambda: east.detect_stack_drift(StackName="no-such-stack"))["error"]["Code"] == "Throttling"
    )

    buckets = control(emulator.port, "/relay-api/throttling", method="GET")["buckets"]  # type: ignore[index]
    counts = {(b["region"], b["family"]): (b["admitted"], b["refused"] > 0) for b in buckets}
    assert counts == {("us-east-1", "cfn-read"): (3, True), ("us-east-1", "cfn-detect"): (1, True)}


def test_limits_are_checked_whole(emulator: EmulatorState, limits: Any) -> None:
    for wrong in (
        {"cfn": {"actions": ["cloudformation:List*"], "rate": 1}},
        {"cfn": {"actions": ["ListStacks"], "rate": 1, "burst": 1}},
        {"cfn": {"actions": ["cloudformation:List*"], "rate": 0, "burst": 1}},
    ):
        with pytest.raises(urllib.error.HTTPError) as refused:
            limits(wrong)
        assert refused.value.code == 400
    assert limits({"cfn-read": READS})["rate_limits"] == {"cfn-read": {**READS, "rate": 0.01, "burst": 3.0}}

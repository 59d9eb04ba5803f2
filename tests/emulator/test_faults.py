"""The fault switch: a named action fails, throttling answers AWS's Throttling error, POST merges,
DELETE clears everything, an unknown fault is refused."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from relay.aws import AwsFactory


def _faults(emulator: Any, method: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{emulator.endpoint}/relay-api/faults", method=method, data=json.dumps(body or {}).encode()
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


def test_named_action_fails_and_throttling_is_aws_shaped(emulator: Any, aws: AwsFactory) -> None:

    cfn = boto3.client(
        "cloudformation",
        region_name="us-east-1",
        endpoint_url=emulator.endpoint,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    try:
        _faults(emulator, "POST", {"fail_actions": ["ListExports"]})
        with pytest.raises(ClientError) as failed:
            cfn.list_exports()
        assert failed.value.response["Error"]["Code"] == "InternalFailure"
        cfn.list_stacks()  # other actions still answer

        _faults(emulator, "POST", {"throttle_ratio": 1.0, "services": ["cloudformation"]})
        with pytest.raises(ClientError) as throttled:
            cfn.list_stacks()
        assert throttled.value.response["Error"] == {
            "Type": "Sender",
            "Code": "Throttling",
            "Message": "Rate exceeded",
        }
        aws.client("s3", "us-east-1").list_buckets()  # other services untouched
        merged = _faults(emulator, "GET")
        assert (merged["throttle_ratio"], merged["fail_actions"]) == (1.0, ["ListExports"])
    finally:
        cleared = _faults(emulator, "DELETE")
    assert (cleared["throttle_ratio"], cleared["fail_actions"], cleared["services"]) == (0.0, [], [])
    cfn.list_stacks()
    cfn.list_exports()


@pytest.mark.parametrize(
    "body", [{"no_such_fault": 1}, {"throttle_ratio": 2}, {"health_check_status": {"hc-1": "Maybe"}}]
)
def test_a_wrong_fault_is_refused_and_changes_nothing(emulator: Any, body: dict[str, Any]) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        _faults(emulator, "POST", {"latency_ms": 1, **body})
    assert refused.value.code == 400
    assert _faults(emulator, "GET")["latency_ms"] == 0

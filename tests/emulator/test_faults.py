"""The fault switch: a named action fails, throttling answers AWS's Throttling error, clearing restores."""

from __future__ import annotations

import json
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
        assert _faults(emulator, "GET")["throttle_ratio"] == 1.0
    finally:
        assert _faults(emulator, "DELETE")["throttle_ratio"] == 0.0
    cfn.list_stacks()

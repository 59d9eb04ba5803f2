"""The fault switch: a named action fails, throttling answers AWS's Throttling error, POST merges,
DELETE clears everything, an unknown fault is refused."""

from __future__ import annotations

import urllib.error
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control


def _faults(emulator: EmulatorState, method: str, body: dict[str, Any] | None = None) -> Any:
    return control(emulator.port, "/relay-api/faults", body, method)


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


@pytest.mark.xdist_group("dr")
def test_an_unreachable_region_answers_503_and_global_services_still_answer(
    aws_dr: AwsFactory, dr_emulator: EmulatorState
) -> None:
    _faults(dr_emulator, "POST", {"unreachable_regions": ["us-east-1"]})
    one_try = Config(retries={"max_attempts": 1})
    east = aws_dr.session("us-east-1").client("rds", endpoint_url=aws_dr.endpoint_url, config=one_try)
    with pytest.raises(ClientError) as refused:
        east.describe_db_instances()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert aws_dr.client("route53").list_hosted_zones()["HostedZones"] is not None  # global: still answers
    aws_dr.client("rds", "us-west-2").describe_db_instances()  # other regions too

"""Drift of one stack: start a detection, poll it with backoff, read every result page.

Resources missing from the results are listed as not checked, with the reason: AWS leaves out
unsupported types, and a failed or throttled detection names the resources it could not check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from relay.drift.model import DRIFTED, IN_SYNC, NOT_CHECKED, PropertyDifference, ResourceResult, StackResult
from relay.stacks.templates import NESTED_STACK_TYPE
from relay.stacks.tree import StackNode
from relay.waiting import Backoff, Throttled, TimedOut, retry_throttled

UNSUPPORTED = "resource type not supported by drift detection"


@dataclass(frozen=True)
class Polling:
    """How patiently to wait for a detection: first pause, longest pause, and the deadline."""

    first: float = 0.25
    cap: float = 10.0
    timeout: float = 900.0


def start(cfn: Any, stack_id: str) -> str:
    answer = retry_throttled(lambda: cfn.detect_stack_drift(StackName=stack_id))
    detection_id: str = answer["StackDriftDetectionId"]
    return detection_id


def wait(cfn: Any, detection_id: str, polling: Polling) -> dict[str, Any]:
    """Poll DescribeStackDriftDetectionStatus until the detection ends or the deadline passes.

    A detection never ends at once: the first poll waits a pause too.
    """
    backoff = Backoff(f"drift detection {detection_id}", polling.timeout, polling.first, polling.cap)
    seen = "started"
    while True:
        backoff.pause(seen)
        status: dict[str, Any] = retry_throttled(
            lambda: cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id)
        )
        if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            return status
        seen = status["DetectionStatus"]


def resource_drifts(cfn: Any, stack_id: str) -> list[dict[str, Any]]:
    """Every StackResourceDrift of the latest detection: boto3 has no paginator, so loop on NextToken."""
    drifts: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        arguments: dict[str, str] = {"StackName": stack_id, **({"NextToken": token} if token else {})}
        page: dict[str, Any] = retry_throttled(partial(cfn.describe_stack_resource_drifts, **arguments))
        drifts.extend(page.get("StackResourceDrifts", []))
        token = page.get("NextToken")
        if not token:
            return drifts


def _missing_reason(logical_id: str, failure: str) -> str:
    """Why a resource has no result: named in the failure reason, or simply unsupported."""
    if failure and logical_id in failure:
        return ("throttled: " if "Rate exceeded" in failure else "detection failed: ") + failure
    return UNSUPPORTED


def _result(drift: dict[str, Any]) -> ResourceResult:
    return ResourceResult(
        logical_id=drift["LogicalResourceId"],
        physical_id=drift.get("PhysicalResourceId", ""),
        resource_type=drift["ResourceType"],
        status=drift["StackResourceDriftStatus"],
        differences=[
            PropertyDifference(
                d["PropertyPath"], d.get("ExpectedValue", ""), d.get("ActualValue", ""), d["DifferenceType"]
            )
            for d in drift.get("PropertyDifferences", [])
        ],
    )


def _not_checked(node: StackNode, result: StackResult, reason: str) -> StackResult:
    result.status, result.reason = NOT_CHECKED, reason
    result.resources = [
        ResourceResult(
            r["LogicalResourceId"],
            r.get("PhysicalResourceId", ""),
            r["ResourceType"],
            NOT_CHECKED,
            reason=reason,
        )
        for r in node.resources
        if r["ResourceType"] != NESTED_STACK_TYPE
    ]
    return result


def check(cfn: Any, node: StackNode, region: str, polling: Polling) -> StackResult:
    """The drift of one stack (not its children: each nested stack is checked as its own stack)."""
    path = [] if node.is_root else list(node.path)
    result = StackResult(name=node.name, stack_id=node.stack_id, region=region, path=path)
    try:
        status = wait(cfn, start(cfn, node.stack_id), polling)
        drifts = {drift["LogicalResourceId"]: drift for drift in resource_drifts(cfn, node.stack_id)}
    except Throttled as error:
        return _not_checked(node, result, f"throttled: {error}")
    except TimedOut as error:
        return _not_checked(node, result, error.message)
    except (ClientError, BotoCoreError) as error:
        return _not_checked(node, result, f"detection failed: {error}")
    failure = (
        status.get("DetectionStatusReason", "") if status["DetectionStatus"] != "DETECTION_COMPLETE" else ""
    )
    for resource in node.resources:
        if resource["ResourceType"] == NESTED_STACK_TYPE:
            continue  # checked as a stack of its own, under this root
        drift = drifts.get(resource["LogicalResourceId"])
        if drift is not None:
            result.resources.append(_result(drift))
        else:
            reason = _missing_reason(resource["LogicalResourceId"], failure)
            result.resources.append(
                ResourceResult(
                    resource["LogicalResourceId"],
                    resource.get("PhysicalResourceId", ""),
                    resource["ResourceType"],
                    NOT_CHECKED,
                    reason=reason,
                )
            )
    result.reason = failure
    return result


def settle(result: StackResult) -> StackResult:
    """The stack's status once ignore rules applied: drifted, else not checked if anything failed."""
    if any(resource.drifted for resource in result.resources):
        result.status = DRIFTED
    elif result.reason or any(r.status == NOT_CHECKED and r.reason != UNSUPPORTED for r in result.resources):
        result.status = NOT_CHECKED
        result.reason = result.reason or "some resources could not be checked"
    else:
        result.status = IN_SYNC
    return result

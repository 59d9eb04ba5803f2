"""CloudFormation drift APIs that moto 5.2 lacks, answered in AWS's shapes.

DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts (paged with
NextToken) and DetectStackResourceDrift, backed by `relay_emulator.drift`. The control endpoint
/relay-api/drift lets tests set the detection duration and inject throttling.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from werkzeug.wrappers import Request

from relay_emulator.control import route
from relay_emulator.drift.detector import resource_drift
from relay_emulator.drift.registry import REGISTRY

# AWS leaves the page size undocumented; a small one makes every client loop on NextToken.
DEFAULT_PAGE_SIZE = 10


class Throttling(ServiceException):  # type: ignore[misc]
    code = "Throttling"
    message = "Rate exceeded"


def _throttle() -> None:
    if REGISTRY.settings.draw(REGISTRY.settings.throttle_ratio):
        raise Throttling()


def _stack(response: Any) -> Any:
    return response.cloudformation_backend.get_stack(response._get_param("StackName"))


def detect_stack_drift(self: Any) -> ActionResult:
    _throttle()
    detection = REGISTRY.start(_stack(self))
    return ActionResult({"StackDriftDetectionId": detection.detection_id})


def describe_stack_drift_detection_status(self: Any) -> ActionResult:
    _throttle()
    detection_id = self._get_param("StackDriftDetectionId")
    detection = REGISTRY.get(detection_id)
    if detection is None:
        raise ValidationError(message=f"Drift detection {detection_id} does not exist")
    return ActionResult(detection.status(REGISTRY.settings))


def describe_stack_resource_drifts(self: Any) -> ActionResult:
    _throttle()
    stack = _stack(self)
    detection = REGISTRY.latest_complete(stack.stack_id)
    wanted = set(self._get_param("StackResourceDriftStatusFilters") or [])
    drifts = [
        drift
        for drift in (detection.drifts if detection else [])
        if not wanted or drift["StackResourceDriftStatus"] in wanted
    ]
    start = int(self._get_param("NextToken") or 0)
    size = int(self._get_param("MaxResults") or DEFAULT_PAGE_SIZE)
    answer: dict[str, Any] = {"StackResourceDrifts": drifts[start : start + size]}
    if start + size < len(drifts):
        answer["NextToken"] = str(start + size)
    return ActionResult(answer)


def detect_stack_resource_drift(self: Any) -> ActionResult:
    _throttle()
    stack = _stack(self)
    logical_id = self._get_param("LogicalResourceId")
    declaration = stack.template_dict.get("Resources", {}).get(logical_id)
    if declaration is None:
        raise ValidationError(message=f"Resource {logical_id} does not exist for stack {stack.name}")
    drift = resource_drift(stack, logical_id)
    if drift is None:
        raise ValidationError(
            message=f"Drift detection is not supported for resource type {declaration['Type']}"
        )
    return ActionResult({"StackResourceDrift": drift})


@route("drift")
def _control(request: Request) -> dict[str, Any]:
    """GET: the settings; POST a JSON object to change some (see registry.Settings)."""
    if request.method == "POST":
        REGISTRY.settings.update(request.get_json(force=True) or {})
    return REGISTRY.settings.as_dict()


def install() -> None:
    """Add the four actions to moto's CloudFormation responder (it dispatches on the action name)."""
    for handler in (
        detect_stack_drift,
        describe_stack_drift_detection_status,
        describe_stack_resource_drifts,
        detect_stack_resource_drift,
    ):
        setattr(CloudFormationResponse, handler.__name__, handler)

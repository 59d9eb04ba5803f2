"""Per-resource stack events (…_IN_PROGRESS, …_COMPLETE, …_FAILED with a reason), as AWS records them.

moto only records stack-level events. Here every resource create, update and delete that moto's engine
performs is wrapped: dependencies are created first (so a resource's events come after those of what it
references, as in AWS), a failure is recorded with its reason and re-raised as `ResourceFailed` so the
stack lifecycle (`lifecycle`) can fail and roll back the stack. An unsupported resource type fails the
resource, as AWS fails an unrecognized type, instead of being skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from moto.cloudformation import parsing, responses
from moto.cloudformation.models import Event, Stack
from moto.core.responses import ActionResult

_moto_create: Callable[..., Any] = parsing.parse_and_create_resource
_moto_update: Callable[..., Any] = parsing.parse_and_update_resource
_moto_delete: Callable[..., Any] = parsing.ResourceMap._delete_resource
_moto_resource_map: Callable[..., Any] = Stack._create_resource_map


class ResourceFailed(Exception):
    """A resource operation failed; the message is the reason AWS would show."""

    def __init__(self, logical_id: str, reason: str) -> None:
        super().__init__(reason)
        self.logical_id = logical_id
        self.reason = reason


def stack_of(resources_map: Any) -> Stack | None:
    return getattr(resources_map, "relay_stack", None)


def record(  # noqa: PLR0917 - an event has these six fields
    stack: Stack | None,
    logical_id: str,
    resource_type: str,
    status: str,
    physical_id: str = "",
    reason: str | None = None,
) -> None:
    """Append one resource event to the stack (and remember the resource's status)."""
    if stack is None:
        return
    event = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=physical_id,
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)
    statuses: dict[str, str] = stack.__dict__.setdefault("relay_resource_status", {})
    statuses[logical_id] = status
    stack.__dict__.setdefault("relay_resource_events", {})[logical_id] = event


def last_event(stack: Stack, logical_id: str) -> Event | None:
    """The resource's latest event: its status and when it was last touched."""
    events: dict[str, Event] = stack.__dict__.get("relay_resource_events", {})
    return events.get(logical_id)


def failed_resources(stack: Stack, operation: str) -> list[str]:
    """Logical ids whose last event is <operation>_FAILED, for the stack's status reason."""
    statuses: dict[str, str] = stack.__dict__.get("relay_resource_status", {})
    return [logical_id for logical_id, status in statuses.items() if status == f"{operation}_FAILED"]


def _references(node: Any) -> Iterator[str]:
    """Logical ids a template fragment refers to (Ref, GetAtt, ${X} and ${X.Attr} in Sub)."""
    if isinstance(node, list):
        for item in node:
            yield from _references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value.split(".", 1)[0] if isinstance(value, str) else value[0]
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                yield from (name.split(".", 1)[0] for name in re.findall(r"\$\{([^!}][^}]*)\}", text))
                yield from _references(value[1] if isinstance(value, list) else None)
            else:
                yield from _references(value)


def _create_dependencies(logical_id: str, resource_json: dict[str, Any], resources_map: Any) -> None:
    depends_on = resource_json.get("DependsOn", [])
    names = [depends_on] if isinstance(depends_on, str) else list(depends_on)
    names += list(_references(resource_json.get("Properties", {})))
    for name in names:
        if name != logical_id and name in resources_map.resources:
            resources_map[name]


def _physical_id(resource: Any) -> str:
    return str(getattr(resource, "physical_resource_id", "") or "")


def _reason(error: Exception) -> str:
    if isinstance(error, ResourceFailed):
        return error.reason
    message = getattr(error, "message", None) or getattr(error, "description", None) or str(error)
    return f"{type(error).__name__}: {message}" if not getattr(error, "code", None) else str(message)


def create_resource(
    logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
) -> Any:
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return None
    resource_type = resource_json["Type"]
    stack = stack_of(resources_map)
    _create_dependencies(logical_id, resource_json, resources_map)
    if logical_id in resources_map._parsed_resources:  # a dependency cycle already created it
        return resources_map._parsed_resources[logical_id]
    record(stack, logical_id, resource_type, "CREATE_IN_PROGRESS")
    try:
        resource = _moto_create(logical_id, resource_json, resources_map, account_id, region_name)
        if resource is None and resource_type not in parsing.NULL_MODELS:
            raise ResourceFailed(
                logical_id,
                f"Unrecognized resource type {resource_type}: the emulator has no provider for it "
                "(add one under scripts/relay_emulator/cloudformation/providers/ and list it in install.py)",
            )
    except ResourceFailed as error:
        if error.logical_id == logical_id:
            record(stack, logical_id, resource_type, "CREATE_FAILED", reason=error.reason)
        raise
    except Exception as error:
        record(stack, logical_id, resource_type, "CREATE_FAILED", reason=_reason(error))
        raise ResourceFailed(logical_id, _reason(error)) from error
    record(stack, logical_id, resource_type, "CREATE_COMPLETE", _physical_id(resource))
    resources_map.__dict__.setdefault("relay_creation_order", []).append(logical_id)
    return resource


def update_resource(
    logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
) -> Any:
    resource_type = resource_json["Type"]
    stack = stack_of(resources_map)
    original = resources_map._parsed_resources.get(logical_id)
    # moto retries a failed update a few times (for ordering): AWS shows one attempt and one failure.
    failed: set[str] = resources_map.__dict__.setdefault("relay_update_failed", set())
    if logical_id not in failed:
        record(stack, logical_id, resource_type, "UPDATE_IN_PROGRESS", _physical_id(original))
    try:
        resource = _moto_update(logical_id, resource_json, resources_map, account_id, region_name)
        if resource is None:
            resource = _replace(original, logical_id, resource_json, resources_map)
    except Exception as error:
        if logical_id not in failed:
            record(stack, logical_id, resource_type, "UPDATE_FAILED", _physical_id(original), _reason(error))
        failed.add(logical_id)
        raise ResourceFailed(logical_id, _reason(error)) from error
    failed.discard(logical_id)
    record(stack, logical_id, resource_type, "UPDATE_COMPLETE", _physical_id(resource))
    return resource


def _replace(original: Any, logical_id: str, resource_json: dict[str, Any], resources_map: Any) -> Any:
    """A type moto cannot update in place: delete and create it again with the new properties."""
    if original is not None:
        resources_map._delete_resource(
            original, resources_map._resource_json_map.get(logical_id, resource_json)
        )
    return _moto_create(
        logical_id, resource_json, resources_map, resources_map._account_id, resources_map._region_name
    )


_moto_update_all: Callable[..., Any] = parsing.ResourceMap.update


def update_all(self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    """One stack update (or its rollback): each resource's failure is recorded once within it."""
    self.__dict__["relay_update_failed"] = set()
    _moto_update_all(self, template, parameters)


def delete_resource(self: Any, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
    stack = stack_of(self)
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    resource_type = resource_json.get("Type", "")
    physical_id = _physical_id(parsed_resource)
    attempted: set[str] = self.__dict__.setdefault("relay_delete_attempted", set())
    if logical_id not in attempted:
        attempted.add(logical_id)
        record(stack, logical_id, resource_type, "DELETE_IN_PROGRESS", physical_id)
    _moto_delete(self, parsed_resource, resource_json)
    self._parsed_resources.pop(logical_id, None)  # gone: an update must not read it back
    attempted.discard(logical_id)
    record(stack, logical_id, resource_type, "DELETE_COMPLETE", physical_id)


def delete_all(self: Any) -> None:
    """Delete in the reverse order of creation (dependents first, as AWS does), then retry what is left."""
    order = list(reversed(self.__dict__.get("relay_creation_order", [])))
    order += [logical_id for logical_id in self._resource_json_map if logical_id not in order]
    remaining = [
        logical_id
        for logical_id in order
        if self._resource_json_map.get(logical_id, {}).get("DeletionPolicy") != "Retain"
    ]
    last_error: Exception | None = None
    for _attempt in range(3):
        for logical_id in list(remaining):
            resource = self._parsed_resources.get(logical_id)
            if resource is None or isinstance(resource, str):
                remaining.remove(logical_id)
                continue
            try:
                self._delete_resource(resource, self._resource_json_map[logical_id])
            except Exception as error:  # a dependency still in place: retry in the next pass
                last_error = error
                continue
            self._parsed_resources.pop(logical_id, None)
            remaining.remove(logical_id)
        if not remaining:
            return
    if last_error is not None:
        raise last_error


def _create_resource_map(self: Stack) -> Any:
    resource_map = _moto_resource_map(self)
    resource_map.relay_stack = self
    return resource_map


def _created_resources(self: Stack) -> list[Any]:
    """Only what exists: reading the resources must never create them (moto creates lazily)."""
    resource_map = self.resource_map
    return [
        resource
        for logical_id, resource in list(resource_map._parsed_resources.items())
        if logical_id in resource_map._resource_json_map
        and resource is not None
        and not isinstance(resource, str)
    ]


_moto_resource_dto = responses.StackResourceDTO.__init__


def _resource_dto(self: Any, stack: Stack, resource: Any) -> None:
    """DescribeStackResource(s): the resource's own status and time, not the stack's."""
    _moto_resource_dto(self, stack, resource)
    event = last_event(stack, self.logical_resource_id or "")
    if event is not None:
        self.resource_status, self.timestamp = event.resource_status, event.timestamp
        self.last_updated_timestamp = event.timestamp


def _list_stack_resources(self: responses.CloudFormationResponse) -> ActionResult:
    stack, resources = self.cloudformation_backend.list_stack_resources(self._get_param("StackName"))
    summaries = []
    for resource in resources:
        logical_id = getattr(resource, "logical_resource_id", "")
        event = last_event(stack, logical_id)
        summaries.append(
            {
                "LogicalResourceId": logical_id,
                "PhysicalResourceId": getattr(resource, "physical_resource_id", ""),
                "ResourceType": getattr(resource, "cf_resource_type", ""),
                "ResourceStatus": event.resource_status if event else "CREATE_COMPLETE",
                "LastUpdatedTimestamp": event.timestamp if event else stack.creation_time,
            }
        )
    return ActionResult({"StackResourceSummaries": summaries})


def install() -> None:
    responses.StackResourceDTO.__init__ = _resource_dto
    responses.CloudFormationResponse.list_stack_resources = _list_stack_resources
    parsing.parse_and_create_resource = create_resource
    parsing.parse_and_update_resource = update_resource
    parsing.ResourceMap._delete_resource = delete_resource
    parsing.ResourceMap.delete = delete_all
    parsing.ResourceMap.update = update_all
    Stack._create_resource_map = _create_resource_map
    Stack.stack_resources = property(_created_resources)

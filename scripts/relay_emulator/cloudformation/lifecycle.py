"""Stack create, update and delete with AWS's status transitions, rollback and termination protection.

moto answers a failing resource with a synchronous error and leaves a CREATE_IN_PROGRESS zombie; AWS
accepts the request, fails the resource and rolls the stack back. Here:
- create: CREATE_IN_PROGRESS -> CREATE_COMPLETE, or -> ROLLBACK_IN_PROGRESS (reason names the failed
  resources) -> ROLLBACK_COMPLETE with everything created deleted again (DisableRollback /
  OnFailure=DO_NOTHING keep CREATE_FAILED, OnFailure=DELETE ends DELETE_COMPLETE);
- update (UpdateStack and ExecuteChangeSet): UPDATE_IN_PROGRESS -> UPDATE_COMPLETE, or
  -> UPDATE_ROLLBACK_IN_PROGRESS -> UPDATE_ROLLBACK_COMPLETE with the previous template and parameters
  applied again; exports follow the outputs;
- delete: refused while termination protection is on (and for a nested stack, which AWS deletes only
  through its root); DELETE_FAILED with a reason instead of an error when a resource cannot go;
- UpdateTerminationProtection is implemented (root stacks only, as AWS).
"""

from __future__ import annotations

import threading
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import AlreadyExistsException, CloudFormationError, ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudformation.utils import generate_stack_id
from moto.core.responses import ActionResult

from relay_emulator.cloudformation.evaluate import references
from relay_emulator.cloudformation.events import failed_resources

_moto_create_stack_response = CloudFormationResponse.create_stack
_moto_outputs = Stack.outputs
_REQUEST = threading.local()  # OnFailure of the CreateStack request being served (nested stacks inherit it)


def _set_status(stack: Stack, status: str, reason: str | None = None) -> None:
    stack.status = status
    stack.stack_status_reason = reason
    stack._add_stack_event(status, resource_status_reason=reason)


def _failure_reason(stack: Stack, operation: str, error: Exception) -> str:
    failed = failed_resources(stack, operation)
    if failed:
        return f"The following resource(s) failed to {operation.lower()}: [{', '.join(sorted(failed))}]. "
    return str(getattr(error, "message", None) or error).rstrip(".") + ". "


def _publish_exports(backend: CloudFormationBackend, stack: Stack) -> None:
    """Replace the stack's exports in the region's export table with its current outputs."""
    for name in [
        name for name, export in backend.exports.items() if export.exporting_stack_id == stack.stack_id
    ]:
        del backend.exports[name]
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export


def _evaluate_outputs(stack: Stack) -> None:
    """Resolve every output once the resources exist, so a bad output fails the operation (as in AWS)
    and describing a failed or deleted stack never creates resources lazily (as moto would)."""
    stack.output_map = stack._create_output_map()
    stack.relay_outputs = _moto_outputs.fget(stack)


def _outputs(stack: Stack) -> list[dict[str, Any]] | None:
    outputs: list[dict[str, Any]] | None = getattr(stack, "relay_outputs", None)
    return outputs


def run_create(backend: CloudFormationBackend, stack: Stack, on_failure: str = "ROLLBACK") -> None:
    """Create every resource of a stack already registered in the backend; roll back on failure."""
    stack.status = "CREATE_IN_PROGRESS"
    try:
        all_ready = stack.resource_map.create(stack.template_dict)
        _evaluate_outputs(stack)
        _publish_exports(backend, stack)
    except Exception as error:
        reason = _failure_reason(stack, "CREATE", error)
        if on_failure == "DO_NOTHING":
            _set_status(stack, "CREATE_FAILED", reason)
            return
        _set_status(stack, "ROLLBACK_IN_PROGRESS", reason + "Rollback requested by user.")
        _delete_resources(stack, "ROLLBACK_FAILED")
        if stack.status == "ROLLBACK_FAILED":
            return
        if on_failure == "DELETE":
            _forget(backend, stack)
            _set_status(stack, "DELETE_COMPLETE")
            return
        _set_status(stack, "ROLLBACK_COMPLETE", reason.strip())
        return
    stack.description = stack.template_dict.get("Description")
    if all_ready:
        _set_status(stack, "CREATE_COMPLETE")


def _delete_resources(stack: Stack, failed_status: str) -> None:
    try:
        stack.resource_map.delete()
    except Exception as error:
        reason = f"The following resource(s) failed to delete: [{', '.join(_remaining(stack))}]. {error}"
        _set_status(stack, failed_status, reason)


def _remaining(stack: Stack) -> list[str]:
    return sorted(resource.logical_resource_id for resource in stack.stack_resources)


def _forget(backend: CloudFormationBackend, stack: Stack) -> None:
    backend.stacks.pop(stack.stack_id, None)
    backend.deleted_stacks[stack.stack_id] = stack
    for name in [
        name for name, export in backend.exports.items() if export.exporting_stack_id == stack.stack_id
    ]:
        del backend.exports[name]


def create_stack(  # noqa: PLR0917 - moto's signature, plus the parent
    self: CloudFormationBackend,
    name: str,
    template: str,
    parameters: dict[str, Any],
    notification_arns: list[str] | None = None,
    tags: dict[str, str] | None = None,
    role_arn: str | None = None,
    enable_termination_protection: bool | None = False,
    timeout_in_mins: int | None = None,
    stack_policy_body: str | None = None,
    parent: Stack | None = None,
) -> Stack:
    if any(stack.name == name for stack in self.stacks.values()):
        raise AlreadyExistsException(f"Stack [{name}] already exists")
    stack = Stack(
        stack_id=generate_stack_id(name, self.region_name, self.account_id),
        name=name,
        template=template,
        parameters=parameters,
        account_id=self.account_id,
        region_name=self.region_name,
        notification_arns=notification_arns,
        tags=tags,
        role_arn=role_arn,
        cross_stack_resources=self.exports,
        enable_termination_protection=enable_termination_protection,
        timeout_in_mins=timeout_in_mins,
        stack_policy_body=stack_policy_body,
    )
    if parent is not None:
        stack.parent_id = parent.stack_id
        stack.root_id = getattr(parent, "root_id", None) or parent.stack_id
    self.stacks[stack.stack_id] = stack
    _set_status(stack, "CREATE_IN_PROGRESS", "User Initiated")
    run_create(self, stack, getattr(_REQUEST, "on_failure", "ROLLBACK"))
    return stack


def run_update(  # noqa: PLR0917
    backend: CloudFormationBackend,
    stack: Stack,
    template: str,
    parameters: dict[str, Any],
    role_arn: str | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    """Update in place; on failure apply the previous template and parameters again."""
    previous_template, previous_parameters = stack.template, dict(stack.parameters)
    _set_status(stack, "UPDATE_IN_PROGRESS", "User Initiated")
    try:
        _apply(stack, template, parameters)
        _publish_exports(backend, stack)
    except Exception as error:
        reason = _failure_reason(stack, "UPDATE", error)
        _set_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
        try:
            _apply(stack, previous_template, previous_parameters)
            _publish_exports(backend, stack)
        except Exception as rollback_error:
            _set_status(stack, "UPDATE_ROLLBACK_FAILED", str(rollback_error))
            return
        _set_status(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        _set_status(stack, "UPDATE_ROLLBACK_COMPLETE")
        return
    stack.role_arn = role_arn or stack.role_arn
    if tags is not None:
        stack.tags = tags
    _set_status(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    _set_status(stack, "UPDATE_COMPLETE")


def _apply(stack: Stack, template: str | dict[str, Any], parameters: dict[str, Any]) -> None:
    # Input parameters are strings, as in the API (moto sometimes hands over resolved lists and numbers).
    parameters = {
        key: ",".join(map(str, value)) if isinstance(value, list) else str(value)
        for key, value in parameters.items()
    }
    stack.template = template
    stack._parse_template()
    stack.resource_map.update(stack.template_dict, parameters)
    stack.parameters = parameters or stack.parameters
    stack.description = stack.template_dict.get("Description")
    _evaluate_outputs(stack)


def update_stack(
    self: Stack, template: str, role_arn: str | None = None, parameters: Any = None, tags: Any = None
) -> None:
    backend = _backend_of(self)
    if self.status.endswith("_IN_PROGRESS") or self.status in ("ROLLBACK_COMPLETE", "CREATE_FAILED"):
        raise ValidationError(
            message=f"Stack:{self.stack_id} is in {self.status} state and can not be updated."
        )
    run_update(backend, self, template, parameters or {}, role_arn, tags)


def _backend_of(stack: Stack) -> CloudFormationBackend:
    from moto.cloudformation.models import cloudformation_backends  # noqa: PLC0415 - keeps patches visible

    backend: CloudFormationBackend = cloudformation_backends[stack.account_id][stack.region_name]
    return backend


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str, nested_delete: bool = False) -> None:
    stack = self.stacks.get(name_or_stack_id) or next(
        (stack for stack in self.stacks.values() if stack.name == name_or_stack_id), None
    )
    if stack is None:
        return  # AWS: deleting a stack that does not exist succeeds
    if stack.enable_termination_protection:
        raise ValidationError(
            message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled"
        )
    if getattr(stack, "parent_id", None) and not nested_delete:
        parent = self.stacks.get(stack.parent_id)
        if parent is not None:
            raise ValidationError(
                message=f"Stack [{stack.name}] is a nested stack: delete its root stack {parent.name} instead"
            )
    _set_status(stack, "DELETE_IN_PROGRESS", "User Initiated")
    _delete_resources(stack, "DELETE_FAILED")
    if stack.status == "DELETE_FAILED":
        return
    _forget(self, stack)
    _set_status(stack, "DELETE_COMPLETE")


def execute_change_set(
    self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None
) -> None:
    change_set = self.describe_change_set(change_set_name)
    if getattr(change_set, "parent_change_set_id", None):
        raise ValidationError(
            message=f"ChangeSet [{change_set.change_set_id}] is a nested change set: execute its root "
            f"change set {change_set.root_change_set_id}"
        )
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(change_set.change_set_id, str(change_set.execution_status))
    stack = self.stacks[change_set.stack_id]
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    if change_set.change_set_type == "CREATE":
        stack.template, stack.parameters = change_set.template, change_set.parameters
        stack.tags = change_set.tags or stack.tags
        stack._parse_template()
        stack.resource_map = stack._create_resource_map()
        stack.output_map = stack._create_output_map()
        _set_status(stack, "CREATE_IN_PROGRESS", "User Initiated")
        run_create(self, stack)
    else:
        run_update(
            self,
            stack,
            change_set.template,
            change_set.parameters,
            change_set.role_arn,
            change_set.tags or None,
        )
    succeeded = stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    executed = [change_set, *nested_change_sets(self, change_set.change_set_id)]
    for each in executed:
        each.execution_status = "EXECUTE_COMPLETE" if succeeded else "EXECUTE_FAILED"
    # AWS removes every change set of the stack once one runs; the executed one stays describable by id.
    stale = {each.stack_id for each in executed}
    for change_set_id, other in list(self.change_sets.items()):
        if other.stack_id in stale and other not in executed:
            del self.change_sets[change_set_id]


def nested_change_sets(backend: CloudFormationBackend, change_set_id: str) -> list[Any]:
    """The change sets created under this one, at any depth."""
    return [
        change_set
        for change_set in backend.change_sets.values()
        if getattr(change_set, "root_change_set_id", None) == change_set_id
    ]


class InvalidChangeSetStatus(CloudFormationError):  # type: ignore[misc]
    code = "InvalidChangeSetStatus"

    def __init__(self, change_set_id: str, status: str) -> None:
        super().__init__(
            f"ChangeSet [{change_set_id}] cannot be executed in its current status of [{status}]"
        )


def update_termination_protection(self: CloudFormationBackend, stack_name: str, enabled: bool) -> Stack:
    stack = self.get_stack(stack_name)
    if getattr(stack, "parent_id", None):
        raise ValidationError(
            message="Termination protection can only be updated on the root stack; "
            f"{stack.name} is nested in {stack.root_id}"
        )
    stack.enable_termination_protection = enabled
    return stack


def _respond_update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    stack = self.cloudformation_backend.update_termination_protection(
        self._get_param("StackName"), self._get_bool_param("EnableTerminationProtection", False)
    )
    return ActionResult({"StackId": stack.stack_id})


def _respond_create_stack(self: CloudFormationResponse) -> ActionResult:
    """moto's CreateStack, passing DisableRollback / OnFailure through to the backend."""
    on_failure = self._get_param("OnFailure") or (
        "DO_NOTHING" if self._get_bool_param("DisableRollback", False) else "ROLLBACK"
    )
    _REQUEST.on_failure = on_failure
    try:
        result: ActionResult = _moto_create_stack_response(self)
    finally:
        _REQUEST.on_failure = "ROLLBACK"
    return result


def _respond_update_stack_status_check(self: CloudFormationResponse, stack: Stack) -> None:
    if stack.status in ("ROLLBACK_COMPLETE", "CREATE_FAILED", "ROLLBACK_FAILED"):
        raise ValidationError(
            stack.stack_id,
            message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.",
        )


_moto_validate_different_update = CloudFormationResponse._validate_different_update


def _validate_different_update(self: CloudFormationResponse, *args: Any) -> None:
    """UpdateStack without changes is an error; CreateChangeSet is not: its change set ends FAILED."""
    if self._get_action() != "CreateChangeSet":
        _moto_validate_different_update(self, *args)


_moto_validate_outputs = parsing.ResourceMap.validate_outputs


def _validate_outputs(self: parsing.ResourceMap) -> None:
    """AWS's template error for an output naming an undefined resource (moto: a TypeError)."""
    known = set(self._resource_json_map) | set(self._template.get("Parameters") or {})
    missing = sorted(
        {
            name.split(".", 1)[0]
            for _kind, name in references(self._template.get("Outputs") or {})
            if not name.startswith("AWS::") and name.split(".", 1)[0] not in known
        }
    )
    if missing:
        raise ValidationError(
            message=f"Template format error: Unresolved resource dependencies [{', '.join(missing)}] "
            "in the Outputs block of the template"
        )
    _moto_validate_outputs(self)


def install() -> None:
    parsing.ResourceMap.validate_outputs = _validate_outputs
    CloudFormationResponse._validate_different_update = _validate_different_update
    Stack.stack_status_reason = None
    Stack.outputs = property(_outputs)
    CloudFormationBackend.create_stack = create_stack
    CloudFormationBackend.delete_stack = delete_stack
    CloudFormationBackend.update_termination_protection = update_termination_protection
    CloudFormationBackend.execute_change_set = execute_change_set
    Stack.update = update_stack
    CloudFormationResponse.create_stack = _respond_create_stack
    CloudFormationResponse.update_termination_protection = _respond_update_termination_protection
    CloudFormationResponse._validate_status = _respond_update_stack_status_check

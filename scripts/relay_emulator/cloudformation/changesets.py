"""Change sets as AWS computes them: Modify vs Replace, Details, and nested change sets.

moto lists a resource as Modify when its template text or a parameter it names changed, with no
Replacement, Details, Scope or PolicyAction. Here both templates are evaluated (`evaluate`) against
the live stack, property by property:
- a changed property gives a Detail: Target (Attribute, Name, RequiresRecreation from
  `update_behaviour`, and Path, BeforeValue, AfterValue, AttributeChangeType, which DescribeChangeSet
  returns only with IncludePropertyValues=True), Evaluation and ChangeSource/CausingEntity
  (DirectModification, ParameterReference - through conditions too -, ResourceReference,
  ResourceAttribute, Automatic);
- Replacement is True when a Static detail requires recreation Always, Conditional when a Dynamic one
  does or one requires it Conditionally, else False; a resource whose condition flips is Added/Removed;
- `IncludeNestedStacks=True` gives every changed or added child stack its own change set
  (ParentChangeSetId, RootChangeSetId), referenced by the parent's change as ChangeSetId (an added
  child's change set describes the stack its execution creates); the child's parameters are the
  parent's evaluated values, so a root parameter change shows on the child's resources, and a child's
  outputs are evaluated so siblings reading them see whether they change;
- an UPDATE change set without changes ends FAILED with AWS's reason; ListChangeSets answers for the
  named stack only; deleting a root change set deletes its nested ones; a nested one cannot be executed.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from dataclasses import dataclass, field, replace
from graphlib import CycleError, TopologicalSorter
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudformation.utils import generate_changeset_id, generate_stack_id
from moto.core.responses import ActionResult
from moto.utilities.utils import get_partition

from relay_emulator.cloudformation import nested as cfn_nested
from relay_emulator.cloudformation.evaluate import (
    NO_VALUE,
    Scope,
    Unknown,
    first_unknown,
    parameter_values,
    references,
)
from relay_emulator.cloudformation.events import stack_of
from relay_emulator.cloudformation.lifecycle import nested_change_sets
from relay_emulator.cloudformation.update_behaviour import ALWAYS, CONDITIONALLY, requires_recreation

NESTED_STACK = "AWS::CloudFormation::Stack"
NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information to create a change set."
)
_POLICY_ATTRIBUTES = ("Metadata", "CreationPolicy", "UpdatePolicy", "DeletionPolicy", "UpdateReplacePolicy")
_REQUEST = threading.local()  # IncludeNestedStacks of the CreateChangeSet request being served
# Target fields DescribeChangeSet returns only when asked with IncludePropertyValues=True.
_PROPERTY_VALUES = ("Path", "BeforeValue", "AfterValue", "AttributeChangeType")
_KNOWN_AFTER_APPLY = "{{changeSet:KNOWN_AFTER_APPLY}}"  # AWS's stand-in for a value known at execution


@dataclass
class ResourceChange:
    """DescribeChangeSet's ResourceChange (moto serializes the snake_case attributes)."""

    action: str
    logical_resource_id: str
    resource_type: str
    physical_resource_id: str | None = None
    replacement: str | None = None
    scope: list[str] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    change_set_id: str | None = None
    policy_action: str | None = None


@dataclass
class _Nesting:
    """Where nested change sets go: the backend, the root's id and name, or None when not requested."""

    backend: CloudFormationBackend
    root_id: str
    root_name: str


def _live(stack: Stack, logical_id: str) -> Any:
    resource_map = stack.resource_map
    if logical_id not in resource_map._resource_json_map:
        return None
    resource = resource_map._parsed_resources.get(logical_id)
    return None if resource is None or isinstance(resource, str) else resource


def _pseudo(stack: Stack) -> dict[str, Any]:
    return {
        "AWS::AccountId": stack.account_id,
        "AWS::Region": stack.region_name,
        "AWS::StackId": stack.stack_id,
        "AWS::StackName": stack.name,
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::Partition": get_partition(stack.region_name),
        "AWS::NotificationARNs": list(stack.notification_arns or []),
    }


def _live_ref(stack: Stack, logical_id: str) -> Any:
    resource = _live(stack, logical_id)
    if resource is None:
        return Unknown("ResourceReference", logical_id)
    return str(getattr(resource, "physical_resource_id", ""))


def _live_att(stack: Stack, logical_id: str, attribute: str) -> Any:
    resource = _live(stack, logical_id)
    try:
        return resource.get_cfn_attribute(attribute) if resource is not None else None
    except Exception:
        return Unknown("ResourceAttribute", f"{logical_id}.{attribute}")


def _exports(backend: CloudFormationBackend, name: str) -> Any:
    export = backend.exports.get(name)
    return export.value if export is not None else Unknown("Automatic", f"Fn::ImportValue {name}")


def _backend(stack: Stack) -> CloudFormationBackend:
    from moto.cloudformation.models import cloudformation_backends  # noqa: PLC0415 - keeps patches visible

    backend: CloudFormationBackend = cloudformation_backends[stack.account_id][stack.region_name]
    return backend


Inputs = tuple[dict[str, Any], dict[str, Any]]  # (template, given parameter values)


def live_inputs(stack: Stack) -> Inputs:
    """The template and parameters a stack was last deployed with."""
    return stack.template_dict or {}, dict(stack.parameters or {})


class Planner:
    """The changes that turn a live stack into (template, parameters), resource by resource."""

    def __init__(
        self,
        stack: Stack,
        before: Inputs,
        after: Inputs,
        nesting: _Nesting | None = None,
        change_set_id: str = "",
    ) -> None:
        self.stack = stack
        self.change_set_id = change_set_id
        self.nesting = nesting
        self.old_template, old_given = before
        template, given = after
        self.new_template = template
        self.changes: dict[str, ResourceChange] = {}
        self.nested_outputs: dict[str, dict[str, Any]] = {}
        account, region = stack.account_id, stack.region_name
        backend = _backend(stack)
        self.old = Scope(
            template=self.old_template,
            parameters=parameter_values(self.old_template, old_given, account, region),
            pseudo=_pseudo(stack),
            ref=lambda logical_id: _live_ref(stack, logical_id),
            get_att=lambda logical_id, attribute: _live_att(stack, logical_id, attribute),
            account_id=account,
            region=region,
            exports=lambda name: _exports(backend, name),
        )
        self.new = Scope(
            template=template,
            parameters=parameter_values(template, given, account, region),
            pseudo=_pseudo(stack),
            ref=self._new_ref,
            get_att=self._new_att,
            account_id=account,
            region=region,
            exports=lambda name: _exports(backend, name),
        )
        self.changed_parameters = {
            name
            for name, value in self.new.parameters.items()
            if isinstance(value, Unknown) or self.old.parameters.get(name) != value
        }

    def _replaced(self, logical_id: str) -> bool:
        change = self.changes.get(logical_id)
        return change is not None and (
            change.action == "Add" or change.replacement in ("True", "Conditional")
        )

    def _new_ref(self, logical_id: str) -> Any:
        if self._replaced(logical_id):
            return Unknown("ResourceReference", logical_id)
        return _live_ref(self.stack, logical_id)

    def _new_att(self, logical_id: str, attribute: str) -> Any:
        change = self.changes.get(logical_id)
        if change is None:
            return _live_att(self.stack, logical_id, attribute)
        outputs = self.nested_outputs.get(logical_id)
        if outputs is not None and not self._replaced(logical_id) and attribute.startswith("Outputs."):
            return outputs.get(attribute.removeprefix("Outputs."), Unknown("ResourceAttribute", attribute))
        return Unknown("ResourceAttribute", f"{logical_id}.{attribute}")

    def plan(self) -> list[ResourceChange]:
        resources: dict[str, Any] = self.new_template.get("Resources") or {}
        for logical_id in _dependency_order(resources):
            exists = self.new.resource_exists(logical_id)
            live = _live(self.stack, logical_id)
            if exists is not False and live is None:
                self.changes[logical_id] = self._addition(logical_id, resources[logical_id])
            elif exists is False and live is not None:
                self.changes[logical_id] = self._removal(logical_id)
            elif live is not None:
                change = self._modification(logical_id, live)
                if change is not None:
                    self.changes[logical_id] = change
        for logical_id in self.old_template.get("Resources") or {}:
            if logical_id not in resources and _live(self.stack, logical_id) is not None:
                self.changes[logical_id] = self._removal(logical_id)
        return list(self.changes.values())

    def outputs(self) -> dict[str, Any]:
        """The new template's outputs as far as they are known before execution."""
        outputs = self.new_template.get("Outputs") or {}
        values: dict[str, Any] = {}
        for name, output in outputs.items():
            condition = output.get("Condition")
            if condition is None or self.new.condition(condition) is not False:
                values[name] = self.new.evaluate(output.get("Value"))
        return values

    def _addition(self, logical_id: str, new_json: dict[str, Any]) -> ResourceChange:
        """An added resource; an added nested stack gets a change set of its own, as a changed one does."""
        change = ResourceChange("Add", logical_id, new_json["Type"])
        if change.resource_type == NESTED_STACK and self.nesting is not None:
            child = _new_child(self.stack, logical_id)
            change.change_set_id, _changed = self._nested_change_set(
                self.nesting, logical_id, new_json, child
            )
        return change

    def _removal(self, logical_id: str) -> ResourceChange:
        resource = (self.old_template.get("Resources") or {})[logical_id]
        return ResourceChange(
            "Remove",
            logical_id,
            resource["Type"],
            physical_resource_id=_live_ref(self.stack, logical_id),
            policy_action=resource.get("DeletionPolicy", "Delete"),
        )

    def _modification(self, logical_id: str, live: Any) -> ResourceChange | None:
        old_json = (self.old_template.get("Resources") or {}).get(logical_id) or {}
        new_json = (self.new_template.get("Resources") or {})[logical_id]
        resource_type = new_json["Type"]
        details = self._property_details(resource_type, old_json, new_json, live)
        for attribute in _POLICY_ATTRIBUTES:
            before = self.old.evaluate(old_json[attribute]) if attribute in old_json else NO_VALUE
            after = self.new.evaluate(new_json[attribute]) if attribute in new_json else NO_VALUE
            if before != after:
                values = _values(f"/{attribute}", before, after)
                details.append(
                    _detail(attribute, None, "Never", "Static", "DirectModification", None, values=values)
                )
        nested_id = None
        if resource_type == NESTED_STACK and self.nesting is not None:
            nested_id, child_changed = self._nested_change_set(self.nesting, logical_id, new_json, live)
            if nested_id is None and not details:
                return None
            if child_changed and not details:
                details.append(_detail("Properties", None, "Never", "Dynamic", "Automatic", None))
        if not details:
            return None
        replacement = _replacement(details)
        deletion = new_json.get("UpdateReplacePolicy", "Delete")
        return ResourceChange(
            "Modify",
            logical_id,
            resource_type,
            physical_resource_id=_live_ref(self.stack, logical_id),
            replacement=replacement,
            scope=sorted({detail["Target"]["Attribute"] for detail in details}),
            details=details,
            change_set_id=nested_id,
            policy_action=f"ReplaceAnd{deletion}" if replacement == "True" else None,
        )

    def _property_details(
        self, resource_type: str, old_json: dict[str, Any], new_json: dict[str, Any], live: Any
    ) -> list[dict[str, Any]]:
        old_properties = old_json.get("Properties") or {}
        new_properties = new_json.get("Properties") or {}
        details: list[dict[str, Any]] = []
        for name in sorted(set(old_properties) | set(new_properties)):
            before = self.old.evaluate(old_properties[name]) if name in old_properties else NO_VALUE
            after = self.new.evaluate(new_properties[name]) if name in new_properties else NO_VALUE
            if resource_type == NESTED_STACK and name == "TemplateURL":
                before, after = _same_template(live, after, before)
            unknown = first_unknown(after)
            if unknown is None and before == after:
                continue
            recreation = requires_recreation(resource_type, name, _plain(before), _plain(after), new_json)
            attribute = "Tags" if name == "Tags" else "Properties"
            target_name = None if attribute == "Tags" else name
            values = _values(f"/Properties/{name}", before, after)
            for source, entity, evaluation in self._causes(
                old_properties.get(name), new_properties.get(name)
            ):
                details.append(
                    _detail(attribute, target_name, recreation, evaluation, source, entity, values=values)
                )
        return details

    def _causes(self, raw_before: Any, raw_after: Any) -> list[tuple[str, str | None, str]]:
        """(ChangeSource, CausingEntity, Evaluation) of why one property's value changes."""
        if raw_before != raw_after:
            return [("DirectModification", None, "Static")]
        causes: list[tuple[str, str | None, str]] = []
        for kind, name in dict.fromkeys(references(raw_after, self.new_template.get("Conditions") or {})):
            logical_id = name.split(".", 1)[0]
            if kind == "Ref" and name in self.changed_parameters:
                dynamic = isinstance(self.new.parameters.get(name), Unknown)
                causes.append(("ParameterReference", name, "Dynamic" if dynamic else "Static"))
            elif kind == "Ref" and self._replaced(name):
                causes.append(("ResourceReference", name, "Dynamic"))
            elif kind == "GetAtt" and logical_id in self.changes:
                causes.append(("ResourceAttribute", name, "Dynamic"))
        return causes or [("Automatic", None, "Dynamic")]

    def _nested_change_set(
        self, nesting: _Nesting, logical_id: str, new_json: dict[str, Any], child: Any
    ) -> tuple[str | None, bool]:
        """Plan the child stack; register its change set when anything in it changes or its inputs do."""
        properties = new_json.get("Properties") or {}
        url = self.new.evaluate(properties.get("TemplateURL"))
        given = self.new.evaluate(properties.get("Parameters") or {})
        if isinstance(url, Unknown) or isinstance(given, Unknown):
            return None, False
        text = cfn_nested.get_stack_from_s3_url(str(url), child.account_id, get_partition(child.region_name))
        template = Stack.parse_template(text)
        change_set_id = generate_changeset_id(
            f"{nesting.root_name}-{logical_id}-{uuid.uuid4().hex[:12].upper()}",
            child.region_name,
            child.account_id,
        )
        planner = Planner(child, live_inputs(child), (template, given), nesting, change_set_id)
        changes = planner.plan()
        self.nested_outputs[logical_id] = planner.outputs()
        kind = "UPDATE" if child.stack_id in nesting.backend.stacks else "CREATE"
        inputs_changed = kind == "CREATE" or not child.has_template(text) or planner.changed_parameters
        if not changes and not inputs_changed:
            return None, False
        register_nested(nesting, child, change_set_id, text, given, changes, self.change_set_id, kind=kind)
        return change_set_id, bool(changes)


def _new_child(parent: Stack, logical_id: str) -> Stack:
    """The stack an added nested stack becomes, named as AWS names it; it exists once the change set runs."""
    name = f"{parent.name}-{logical_id}-{uuid.uuid4().hex[:12].upper()}"
    return Stack(
        stack_id=generate_stack_id(name, parent.region_name, parent.account_id),
        name=name,
        template={},
        parameters={},
        account_id=parent.account_id,
        region_name=parent.region_name,
    )


def _same_template(child: Any, after: Any, before: Any) -> tuple[Any, Any]:
    """A TemplateURL changes the child only when the template it names differs from the child's."""
    if isinstance(after, Unknown) or child is None:
        return before, after
    text = cfn_nested.get_stack_from_s3_url(str(after), child.account_id, get_partition(child.region_name))
    return (after, after) if child.has_template(text) else (before, after)


def _plain(value: Any) -> Any:
    return None if value is NO_VALUE else value


def _value_text(value: Any) -> str:
    """A value as AWS prints it in a Target: text as is, anything else as JSON."""
    if isinstance(value, Unknown):
        return _KNOWN_AFTER_APPLY
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), default=lambda unknown: _KNOWN_AFTER_APPLY)


def _values(path: str, before: Any, after: Any) -> dict[str, str]:
    """Path, BeforeValue/AfterValue (absent where the property is) and AttributeChangeType of a change."""
    values = {"Path": path}
    if before is not NO_VALUE:
        values["BeforeValue"] = _value_text(before)
    if after is not NO_VALUE:
        values["AfterValue"] = _value_text(after)
    kind = "Add" if before is NO_VALUE else "Remove" if after is NO_VALUE else "Modify"
    return {**values, "AttributeChangeType": kind}


def _detail(  # noqa: PLR0917 - a Detail has these six fields
    attribute: str,
    name: str | None,
    recreation: str,
    evaluation: str,
    source: str,
    entity: str | None,
    *,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    target: dict[str, Any] = {"Attribute": attribute, "RequiresRecreation": recreation}
    if name is not None:
        target["Name"] = name
    target.update(values or {})
    detail: dict[str, Any] = {"Target": target, "Evaluation": evaluation, "ChangeSource": source}
    if entity is not None:
        detail["CausingEntity"] = entity
    return detail


def _replacement(details: list[dict[str, Any]]) -> str:
    verdicts = set()
    for detail in details:
        recreation = detail["Target"]["RequiresRecreation"]
        if recreation == ALWAYS:
            verdicts.add("True" if detail["Evaluation"] == "Static" else "Conditional")
        elif recreation == CONDITIONALLY:
            verdicts.add("Conditional")
    return next((verdict for verdict in ("True", "Conditional") if verdict in verdicts), "False")


def _dependency_order(resources: dict[str, Any]) -> list[str]:
    graph: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        names = {depends_on} if isinstance(depends_on, str) else set(depends_on)
        names |= {name.split(".", 1)[0] for _kind, name in references(resource.get("Properties", {}))}
        graph[logical_id] = {name for name in names if name in resources and name != logical_id}
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError:
        return list(resources)


def _string_parameters(given: dict[str, Any], child: Stack) -> dict[str, str]:
    """A nested change set's Parameters: the evaluated values; one known only at execution shows the
    child's current value (AWS shows it resolved once known)."""
    current = child.parameters or {}
    return {
        key: str(current.get(key, "")) if isinstance(value, Unknown) else str(value)
        for key, value in given.items()
    }


def register_nested(  # noqa: PLR0917 - the parts of a nested change set
    nesting: _Nesting,
    child: Stack,
    change_set_id: str,
    template: str,
    given: dict[str, Any],
    changes: list[ResourceChange],
    parent_id: str,
    *,
    kind: str = "UPDATE",
) -> None:
    """A child's change set: UPDATE for a live child, CREATE for one the root's execution creates."""
    change_set = ChangeSet(
        change_set_type=kind,
        change_set_id=change_set_id,
        change_set_name=change_set_id.split("/")[-2],
        stack=child,
        template=template,
        parameters=_string_parameters(given, child),
        description=None,
    )
    change_set.changes = changes
    change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
    change_set.include_nested_stacks = True
    change_set.parent_change_set_id = parent_id
    change_set.root_change_set_id = nesting.root_id
    nesting.backend.change_sets[change_set_id] = change_set


_moto_create_change_set = CloudFormationBackend.create_change_set
_moto_delete_change_set = CloudFormationBackend.delete_change_set


def create_change_set(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> tuple[str, str]:
    change_set_id, stack_id = _moto_create_change_set(self, *args, **kwargs)
    change_set = self.change_sets[change_set_id]
    include_nested = bool(getattr(_REQUEST, "include_nested", False))
    change_set.include_nested_stacks = include_nested
    nesting = _Nesting(self, change_set_id, change_set.stack_name) if include_nested else None
    planner = Planner(
        change_set.stack,
        live_inputs(change_set.stack),
        (change_set.template_dict, change_set.parameters),
        nesting,
        change_set_id,
    )
    try:
        change_set.changes = planner.plan()
    except (ValidationError, KeyError, ValueError, TypeError) as error:
        _fail(change_set, f"Template error: {getattr(error, 'message', None) or error}")
        return change_set_id, stack_id
    if change_set.change_set_type == "UPDATE" and not change_set.changes:
        _fail(change_set, NO_CHANGES)
    else:
        change_set.status, change_set.execution_status, change_set.status_reason = (
            "CREATE_COMPLETE",
            "AVAILABLE",
            None,
        )
    return change_set_id, stack_id


def _fail(change_set: ChangeSet, reason: str) -> None:
    change_set.status, change_set.execution_status, change_set.status_reason = "FAILED", "UNAVAILABLE", reason


def delete_change_set(self: CloudFormationBackend, change_set_name: str) -> None:
    change_set = self.describe_change_set(change_set_name)
    for nested in nested_change_sets(self, change_set.change_set_id):
        self.change_sets.pop(nested.change_set_id, None)
    _moto_delete_change_set(self, change_set_name)


def _respond_create_change_set(self: CloudFormationResponse) -> ActionResult:
    _REQUEST.include_nested = self._get_bool_param("IncludeNestedStacks", False)
    try:
        result: ActionResult = _moto_respond_create_change_set(self)
    finally:
        _REQUEST.include_nested = False
    return result


def _respond_describe_change_set(self: CloudFormationResponse) -> ActionResult:
    """Path, BeforeValue, AfterValue and AttributeChangeType only when IncludePropertyValues=True."""
    change_set = self.cloudformation_backend.describe_change_set(
        change_set_name=self._get_param("ChangeSetName")
    )
    if self._get_bool_param("IncludePropertyValues", False):
        return ActionResult(change_set)
    view = copy.copy(change_set)
    view.changes = [
        replace(change, details=[_without_values(detail) for detail in change.details])
        if isinstance(change, ResourceChange)
        else change
        for change in change_set.changes
    ]
    return ActionResult(view)


def _without_values(detail: dict[str, Any]) -> dict[str, Any]:
    target = {key: value for key, value in detail["Target"].items() if key not in _PROPERTY_VALUES}
    return {**detail, "Target": target}


def _respond_list_change_sets(self: CloudFormationResponse) -> ActionResult:
    """ListChangeSets answers for one stack (its name or id) and, as AWS, forgets executed ones."""
    name = self._get_param("StackName")
    summaries = [
        change_set
        for change_set in self.cloudformation_backend.list_change_sets()
        if name in (change_set.stack_name, change_set.stack_id)
        and change_set.execution_status not in ("EXECUTE_COMPLETE", "EXECUTE_FAILED")
    ]
    return ActionResult({"Summaries": summaries})


_moto_respond_create_change_set = CloudFormationResponse.create_change_set
_moto_build_resource_diff = parsing.ResourceMap.build_resource_diff


def build_resource_diff(
    self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> dict[str, list[str]]:
    """What an update adds, modifies and removes: the change set's answer, so that a resource whose
    condition flips is created or deleted, and one whose inputs did not change is left alone.
    (moto calls this without parameters to list a change set's changes, which this module replaces.)"""
    stack = stack_of(self)
    if parameters is None or stack is None:
        return dict(_moto_build_resource_diff(self, template, parameters))
    before = (self._template or {}, dict(self.input_parameters or {}))
    changes = Planner(stack, before, (template, parameters)).plan()
    return {
        action: [change.logical_resource_id for change in changes if change.action == action]
        for action in ("Add", "Modify", "Remove")
    }


def install() -> None:
    CloudFormationBackend.create_change_set = create_change_set
    CloudFormationBackend.delete_change_set = delete_change_set
    CloudFormationResponse.create_change_set = _respond_create_change_set
    CloudFormationResponse.list_change_sets = _respond_list_change_sets
    CloudFormationResponse.describe_change_set = _respond_describe_change_set
    parsing.ResourceMap.build_resource_diff = build_resource_diff
    ChangeSet.include_nested_stacks = False
    ChangeSet.parent_change_set_id = None
    ChangeSet.root_change_set_id = None

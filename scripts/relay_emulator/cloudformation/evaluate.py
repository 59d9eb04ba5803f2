"""Evaluate a template fragment without creating anything, as CloudFormation does to build a change set.

moto's template engine creates a resource as soon as something refers to it, so a change set cannot use
it. `Scope` resolves parameters, pseudo parameters, conditions and the intrinsic functions; what only
the execution can know (the id of a resource about to be created or replaced, an attribute of one
being modified, an intrinsic this module does not evaluate) is an `Unknown` naming its source, which a
change set reports as a Dynamic evaluation.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from moto.ssm.models import ssm_backends

from relay_emulator.cloudformation.intrinsics import cidr_blocks, split_get_att, zones_of

NO_VALUE = object()  # AWS::NoValue: the enclosing key or list item disappears
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Unknown:
    """A value known only at execution. `source` is the AWS ChangeSource, `entity` its CausingEntity."""

    source: str
    entity: str

    def __eq__(self, other: object) -> bool:
        return False  # an unknown value may always differ

    def __hash__(self) -> int:
        return hash((self.source, self.entity))


def first_unknown(value: Any) -> Unknown | None:
    """The first Unknown inside a resolved value, if any."""
    if isinstance(value, Unknown):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((found for item in items if (found := first_unknown(item)) is not None), None)


def parameter_values(
    template: dict[str, Any], given: dict[str, Any], account_id: str, region: str
) -> dict[str, Any]:
    """Every declared parameter's value: the given one, else the default; lists split, SSM types resolved."""
    values: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        value = given.get(name, spec.get("Default", ""))
        kind = str(spec.get("Type", "String"))
        if isinstance(value, Unknown):
            values[name] = value
            continue
        value = str(value).lower() if isinstance(value, bool) else str(value)
        if kind.startswith("AWS::SSM::Parameter::Value"):
            parameter = ssm_backends[account_id][region].get_parameter(value)
            value = str(parameter.value) if parameter is not None else value
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            values[name] = [item.strip() for item in value.split(",")] if value else []
        else:
            values[name] = value
    return values


@dataclass
class Scope:
    """One evaluation context: a template, its parameter values, and how resources answer Ref/GetAtt."""

    template: dict[str, Any]
    parameters: dict[str, Any]
    pseudo: dict[str, Any]
    ref: Callable[[str], Any]
    get_att: Callable[[str, str], Any]
    account_id: str
    region: str
    exports: Callable[[str], Any] = lambda name: Unknown("Automatic", f"Fn::ImportValue {name}")
    _conditions: dict[str, Any] = field(default_factory=dict)

    def condition(self, name: str) -> Any:
        """True/False, or Unknown when it depends on a value known only at execution."""
        if name not in self._conditions:
            definition = (self.template.get("Conditions") or {}).get(name)
            known = definition is not None
            self._conditions[name] = (
                self._truth(self.evaluate(definition)) if known else Unknown("Automatic", name)
            )
        return self._conditions[name]

    @staticmethod
    def _truth(value: Any) -> Any:
        if isinstance(value, Unknown):
            return value
        return str(value).lower() == "true" if not isinstance(value, bool) else value

    def resource_exists(self, logical_id: str) -> Any:
        resource = (self.template.get("Resources") or {}).get(logical_id)
        if resource is None:
            return False
        condition = resource.get("Condition")
        return True if condition is None else self.condition(condition)

    def evaluate(self, node: Any) -> Any:  # noqa: PLR0911 - one branch per node kind
        if isinstance(node, list):
            return [value for item in node if (value := self.evaluate(item)) is not NO_VALUE]
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, value),) = node.items()
                handler = _FUNCTIONS.get(key)
                if handler is not None:
                    return handler(self, value)
                if key.startswith("Fn::"):
                    return Unknown("Automatic", key)
            return {
                key: value for key, item in node.items() if (value := self.evaluate(item)) is not NO_VALUE
            }
        if isinstance(node, bool):
            return str(node).lower()
        if isinstance(node, (int, float)):
            return str(node)
        return node

    def _ref(self, name: Any) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.ref(str(name))

    def _get_att(self, spec: Any) -> Any:
        logical_id, attribute = split_get_att(spec)
        attribute = self.evaluate(attribute)
        if isinstance(attribute, Unknown):
            return attribute
        return self.get_att(str(logical_id), str(attribute))

    def _sub(self, spec: Any) -> Any:
        text, variables = (spec[0], spec[1]) if isinstance(spec, list) else (spec, {})
        values = {name: self.evaluate(value) for name, value in variables.items()}
        unknown: list[Unknown] = []

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            value = values.get(name) if name in values else None
            if name not in values:
                value = (
                    self._get_att(name) if "." in name and not name.startswith("AWS::") else self._ref(name)
                )
            if isinstance(value, Unknown) or first_unknown(value) is not None:
                unknown.append(first_unknown(value) or Unknown("Automatic", name))
                return ""
            return ",".join(map(str, value)) if isinstance(value, list) else str(value)

        result = _SUB_VARIABLE.sub(replace, str(text))
        return unknown[0] if unknown else result

    def _join(self, spec: Any) -> Any:
        delimiter, items = spec[0], self.evaluate(spec[1])
        found = first_unknown(items)
        if found is not None:
            return found
        return str(delimiter).join(str(item) for item in items)

    def _select(self, spec: Any) -> Any:
        index, items = self.evaluate(spec[0]), self.evaluate(spec[1])
        if isinstance(items, Unknown) or isinstance(index, Unknown):
            return items if isinstance(items, Unknown) else index
        return items[int(index)]

    def _split(self, spec: Any) -> Any:
        text = self.evaluate(spec[1])
        return text if isinstance(text, Unknown) else str(text).split(str(spec[0]))

    def _if(self, spec: Any) -> Any:
        chosen = self.condition(spec[0])
        if isinstance(chosen, Unknown):
            return chosen
        return self.evaluate(spec[1] if chosen else spec[2])

    def _find_in_map(self, spec: Any) -> Any:
        keys = [self.evaluate(part) for part in spec[:3]]
        found = first_unknown(keys)
        if found is not None:
            return found
        mapping = (self.template.get("Mappings") or {}).get(keys[0], {})
        return self.evaluate(mapping.get(keys[1], {}).get(keys[2]))

    def _equals(self, spec: Any) -> Any:
        left, right = (self.evaluate(part) for part in spec)
        found = first_unknown([left, right])
        return found if found is not None else left == right

    def _all(self, spec: Any, combine: Callable[[Iterator[bool]], bool]) -> Any:
        values = [self._truth(self.evaluate(part)) for part in spec]
        found = first_unknown(values)
        return found if found is not None else combine(iter(values))

    def _not(self, spec: Any) -> Any:
        value = self._truth(self.evaluate(spec[0]))
        return value if isinstance(value, Unknown) else not value

    def _cidr(self, spec: Any) -> Any:
        parts = [self.evaluate(part) for part in spec]
        found = first_unknown(parts)
        return found if found is not None else cidr_blocks(*parts)

    def _get_azs(self, spec: Any) -> Any:
        region = self.evaluate(spec)
        return region if isinstance(region, Unknown) else zones_of(self.account_id, region or self.region)

    def _base64(self, spec: Any) -> Any:
        text = self.evaluate(spec)
        return text if isinstance(text, Unknown) else base64.b64encode(str(text).encode()).decode()

    def _import(self, spec: Any) -> Any:
        name = self.evaluate(spec)
        return name if isinstance(name, Unknown) else self.exports(str(name))


_FUNCTIONS: dict[str, Callable[[Scope, Any], Any]] = {
    "Ref": Scope._ref,
    "Fn::GetAtt": Scope._get_att,
    "Fn::Sub": Scope._sub,
    "Fn::Join": Scope._join,
    "Fn::Select": Scope._select,
    "Fn::Split": Scope._split,
    "Fn::If": Scope._if,
    "Fn::FindInMap": Scope._find_in_map,
    "Fn::Equals": Scope._equals,
    "Fn::And": lambda scope, spec: scope._all(spec, all),
    "Fn::Or": lambda scope, spec: scope._all(spec, any),
    "Fn::Not": Scope._not,
    "Condition": lambda scope, name: scope.condition(name),
    "Fn::Cidr": Scope._cidr,
    "Fn::GetAZs": Scope._get_azs,
    "Fn::Base64": Scope._base64,
    "Fn::ImportValue": Scope._import,
}


def references(node: Any, conditions: dict[str, Any] | None = None) -> Iterator[tuple[str, str]]:
    """(kind, name) of what a fragment depends on: ("Ref", X), ("GetAtt", "X.Attr"), and through the
    conditions it uses (Fn::If, Condition) the parameters those read."""
    if isinstance(node, list):
        for item in node:
            yield from references(item, conditions)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield "Ref", value
            elif key == "Fn::GetAtt":
                logical_id, attribute = split_get_att(value)
                yield "GetAtt", f"{logical_id}.{attribute}"
            elif key == "Fn::Sub":
                yield from _sub_references(value, conditions)
            elif conditions is not None and (
                key == "Fn::If" or (key == "Condition" and isinstance(value, str))
            ):
                # a dict under "Condition" is an IAM policy condition, not a template condition
                name = value[0] if key == "Fn::If" else value
                yield from references(conditions.get(name), conditions)
                if key == "Fn::If":
                    yield from references(value[1:], conditions)
            else:
                yield from references(value, conditions)


def _sub_references(spec: Any, conditions: dict[str, Any] | None) -> Iterator[tuple[str, str]]:
    text = spec[0] if isinstance(spec, list) else spec
    for name in _SUB_VARIABLE.findall(str(text)):
        if not name.startswith("!"):
            yield ("GetAtt", name) if "." in name and not name.startswith("AWS::") else ("Ref", name)
    if isinstance(spec, list):
        yield from references(spec[1], conditions)

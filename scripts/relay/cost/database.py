"""The DB instances as the templates deploy them, for an environment's parameters in one region.

The class, Multi-AZ and storage are read from each `AWS::RDS::DBInstance` in the template tree that its
condition creates, with the root's parameters passed down to the nested stacks and their conditions
evaluated, so the estimate prices what CloudFormation creates (a cross-region replica declared Multi-AZ
is two copies; an in-region reader is one more instance) and follows the templates when they change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from relay.errors import RelayError
from relay.stacks.templates import Template, load_template

DB_INSTANCE_TYPE = "AWS::RDS::DBInstance"


class Unknown:
    """A value known only once deployed (another stack's output, an attribute, a pseudo parameter)."""


UNKNOWN = Unknown()


@dataclass(frozen=True)
class DatabaseSpec:
    """What RDS bills for one region's instance."""

    logical_id: str
    instance_class: str
    multi_az: bool
    storage_gb: float
    replica: bool  # created from a source instance (SourceDBInstanceIdentifier)

    @property
    def copies(self) -> int:
        """Instances billed: Multi-AZ keeps a standby copy of instance and storage."""
        return 2 if self.multi_az else 1


@dataclass
class _Scope:
    """One template with its parameter values: intrinsics and conditions evaluated as CloudFormation does."""

    template: Template
    parameters: Mapping[str, object]
    _conditions: dict[str, bool] = field(default_factory=dict)

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            declared = (self.template.body.get("Conditions") or {}).get(name)
            if declared is None:
                raise RelayError(f"{self.template.path}: condition {name} is not declared")
            self._conditions[name] = self._truth(self.evaluate(declared), f"condition {name}")
        return self._conditions[name]

    def evaluate(self, value: Any) -> object:  # noqa: PLR0911 - one return per intrinsic
        if not (isinstance(value, dict) and len(value) == 1):
            return value
        [(name, argument)] = value.items()
        if name == "Ref":
            return None if argument == "AWS::NoValue" else self.parameters.get(argument, UNKNOWN)
        if name == "Condition":
            return self.condition(argument)
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self.evaluate(when_true if self.condition(condition) else when_false)
        if name == "Fn::Equals":
            left, right = (self.evaluate(item) for item in argument)
            return UNKNOWN if UNKNOWN in (left, right) else str(left) == str(right)
        if name == "Fn::Not":
            return not self._truth(self.evaluate(argument[0]), "Fn::Not")
        if name in ("Fn::And", "Fn::Or"):
            truths = [self._truth(self.evaluate(item), name) for item in argument]
            return all(truths) if name == "Fn::And" else any(truths)
        return UNKNOWN if name.startswith("Fn::") else value

    def _truth(self, value: object, what: str) -> bool:
        if not isinstance(value, bool):
            raise RelayError(
                f"{self.template.path}: {what} depends on a value known only after deploying; "
                "the cost model needs it from the params file"
            )
        return value


def _created_instances(root: Template, root_parameters: Mapping[str, str]) -> list[tuple[_Scope, str]]:
    """Every DB instance the tree creates, each with its template and the parameters passed to it."""
    found: list[tuple[_Scope, str]] = []

    def visit(current: _Scope) -> None:
        found.extend(
            (current, logical_id)
            for logical_id, resource in current.template.resources.items()
            if resource["Type"] == DB_INSTANCE_TYPE
            and ("Condition" not in resource or current.condition(resource["Condition"]))
        )
        for logical_id, path in current.template.local_children().items():
            child = load_template(path)
            passed = current.template.resources[logical_id].get("Properties", {}).get("Parameters") or {}
            defaults = {
                n: spec["Default"] for n, spec in child.parameters.items() if "Default" in (spec or {})
            }
            visit(_Scope(child, {**defaults, **{k: current.evaluate(v) for k, v in passed.items()}}))

    visit(_Scope(root, root_parameters))
    if not found:
        raise RelayError(f"the cost model found no {DB_INSTANCE_TYPE} under {root.path}")
    return found


def deployed_databases(root: Template, root_parameters: Mapping[str, str]) -> list[DatabaseSpec]:
    """The DB instances the stack creates with these parameters (params file over defaults)."""
    return [_spec(scope, logical_id) for scope, logical_id in _created_instances(root, root_parameters)]


def _spec(scope: _Scope, logical_id: str) -> DatabaseSpec:
    properties = scope.template.resources[logical_id].get("Properties") or {}
    where = f"{scope.template.path}: {logical_id}"

    def known(name: str) -> object:
        value = scope.evaluate(properties.get(name))
        if value is None or value is UNKNOWN:
            raise RelayError(f"{where}.{name} has no value the cost model can read before deploying")
        return value

    multi_az = scope.evaluate(properties.get("MultiAZ"))
    if multi_az is UNKNOWN:
        raise RelayError(f"{where}.MultiAZ has no value the cost model can read before deploying")
    try:
        storage = float(str(known("AllocatedStorage")))
    except ValueError as error:
        raise RelayError(f"{where}.AllocatedStorage is not a number of GiB") from error
    return DatabaseSpec(
        logical_id=logical_id,
        instance_class=str(known("DBInstanceClass")),
        multi_az=str(multi_az).lower() == "true",
        storage_gb=storage,
        replica=scope.evaluate(properties.get("SourceDBInstanceIdentifier")) is not None,
    )

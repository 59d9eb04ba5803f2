"""Params files (`<templates>/params/<env>.<region>.json`, optional): load, layer, check, resolve.

A value is a string or `{"StackOutput": {"Region": ..., "Stack": ..., "Output": ...}}`, read at deploy
time from the other region's stack (Relay uses no cross-region exports).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relay.errors import RelayError
from relay.stacks.service_parameters import layered
from relay.stacks.target import StackTarget
from relay.stacks.templates import Template, load_template
from relay.stacks.values import ParameterValue, StackOutputRef

KNOWN_KEYS = {"Template", "Parameters", "Tags", "TerminationProtection"}
REFERENCE_KEYS = {"Region", "Stack", "Output"}

OutputsReader = Callable[[str, str], dict[str, str]]
"""(region, stack name) -> that stack's outputs."""


@dataclass(frozen=True)
class StackParams:
    """A params file, checked: values are strings or references until `resolve` reads the references."""

    path: Path
    template: Path
    parameters: dict[str, ParameterValue]
    tags: dict[str, str] = field(default_factory=dict)
    termination_protection: bool = False

    def resolve(self, read_outputs: OutputsReader) -> dict[str, str]:
        """Every parameter as a string, reading each referenced stack's outputs once."""
        cache: dict[tuple[str, str], dict[str, str]] = {}
        resolved = {}
        for name, value in self.parameters.items():
            if isinstance(value, str):
                resolved[name] = value
                continue
            key = (value.region, value.stack)
            if key not in cache:
                try:
                    cache[key] = read_outputs(value.region, value.stack)
                except RelayError as error:
                    raise RelayError(f"{self.path}: parameter {name} needs {error.message}") from error
            outputs = cache[key]
            if value.output not in outputs:
                raise RelayError(
                    f"{self.path}: parameter {name} refers to output {value.output} of {value.stack} in "
                    f"{value.region}, which has no such output (it has:"
                    f" {', '.join(sorted(outputs)) or 'none'})"
                )
            resolved[name] = outputs[value.output]
        return resolved

    def check_against(self, template: Template) -> None:
        """Every name declared by the template, every required one set: say which and where when not."""
        unknown = sorted(set(self.parameters) - set(template.parameters))
        if unknown:
            raise RelayError(
                f"{self.path}: unknown parameter(s) {', '.join(unknown)}: {template.path.name} declares "
                f"{', '.join(sorted(template.parameters)) or 'none'}"
            )
        missing = [name for name in template.required_parameters() if name not in self.parameters]
        if missing:
            raise RelayError(
                f"{self.path}: missing required parameter(s) {', '.join(missing)} "
                f"(declared without a Default in {template.path.name})"
            )


def load_params(target: StackTarget) -> StackParams:
    """The target's parameters: its params file's, when it has one, layered with what relay.yaml decides
    (`relay.stacks.service_parameters`); every problem is one line naming the file."""
    path, document = _params_document(target)
    protection = document.get("TerminationProtection", False)
    if not isinstance(protection, bool):
        raise RelayError(f"{path}: TerminationProtection must be true or false")
    from_file = {
        name: _parameter(path, name, value) for name, value in _mapping(path, document, "Parameters")
    }
    root = load_template(root_template(target))
    return StackParams(
        path=path,
        template=root.path,
        parameters=layered(target, root, from_file),
        tags={name: _string(path, f"tag {name}", value) for name, value in _mapping(path, document, "Tags")},
        termination_protection=protection,
    )


def root_template(target: StackTarget) -> Path:
    """The target's root template file: its params file's `Template`, else main.yaml. No parameter is
    resolved, so any root stack's template can be found (drift compares stacks relay.yaml may not list)."""
    path, document = _params_document(target)
    template = document.get("Template", "main.yaml")
    if not isinstance(template, str):
        raise RelayError(f"{path}: Template must be a file name")
    return target.cfn_dir / template


def _params_document(target: StackTarget) -> tuple[Path, dict[str, Any]]:
    """The params file and what it holds; {} when the target has none (or borrows Relay's templates)."""
    path = target.params_file
    return path, _read(path) if target.own_params and path.is_file() else {}


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except ValueError as error:
        raise RelayError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise RelayError(f"{path}: expected a JSON object with Template and Parameters")
    unknown = sorted(set(document) - KNOWN_KEYS)
    if unknown:
        raise RelayError(
            f"{path}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(KNOWN_KEYS))}"
        )
    return document


def _mapping(path: Path, document: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise RelayError(f"{path}: {key} must be a JSON object")
    return list(value.items())


def _string(path: Path, what: str, value: Any) -> str:
    if not isinstance(value, str):
        raise RelayError(f"{path}: {what} must be a string, got {json.dumps(value)}")
    return value


def _parameter(path: Path, name: str, value: Any) -> ParameterValue:
    if isinstance(value, dict) and set(value) == {"StackOutput"}:
        reference = value["StackOutput"]
        if not isinstance(reference, dict) or set(reference) != REFERENCE_KEYS:
            raise RelayError(
                f"{path}: parameter {name}: a StackOutput reference needs exactly Region, Stack and Output"
            )
        return StackOutputRef(
            region=_string(path, f"parameter {name} Region", reference["Region"]),
            stack=_string(path, f"parameter {name} Stack", reference["Stack"]),
            output=_string(path, f"parameter {name} Output", reference["Output"]),
        )
    return _string(path, f"parameter {name} (a string or a StackOutput reference)", value)

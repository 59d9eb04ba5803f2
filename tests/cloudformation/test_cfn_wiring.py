"""The root composes its children correctly and publishes exactly the outputs of docs/interfaces.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.cloudformation.cfn import INTERFACES, Child


def get_atts(node: Any) -> Iterator[list[str]]:
    """Every Fn::GetAtt in a template fragment, at any depth (inside If, Join, Sub...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::GetAtt":
                yield list(value)
            else:
                yield from get_atts(value)
    elif isinstance(node, list):
        for item in node:
            yield from get_atts(item)


def contract_outputs() -> list[str]:
    """Output names from the 'Root stack outputs' section of docs/interfaces.md."""
    text = INTERFACES.read_text(encoding="utf-8")
    section = re.search(r"^## Root stack outputs.*?\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, f"{INTERFACES}: no '## Root stack outputs' section"
    names = re.sub(r"\([^)]*\)", "", section.group(1))
    return [name.strip(" .\n") for name in names.split(",") if name.strip(" .\n")]


def test_every_child_output_the_root_reads_exists(root: dict[str, Any], children: dict[str, Child]) -> None:
    missing = []
    for logical_id, attribute in get_atts(root):
        if logical_id not in children:
            continue
        assert attribute.startswith("Outputs."), f"{logical_id}: a nested stack only has Outputs.X attributes"
        name = attribute.removeprefix("Outputs.")
        if name not in children[logical_id].template.get("Outputs", {}):
            missing.append(
                f"{logical_id}.{attribute} ({children[logical_id].path.name} has no output {name})"
            )
    assert missing == []


def test_root_passes_every_child_parameter_it_must_and_no_other(children: dict[str, Child]) -> None:
    problems = []
    for child in children.values():
        declared = child.template.get("Parameters", {})
        passed = set(child.resource["Properties"].get("Parameters", {}))
        required = {name for name, spec in declared.items() if "Default" not in spec}
        problems += [
            f"{child.logical_id}: {name} is not declared by {child.path.name}"
            for name in passed - set(declared)
        ]
        problems += [f"{child.logical_id}: required {name} is not passed" for name in required - passed]
    assert problems == []


def test_every_child_is_used(root: dict[str, Any], children: dict[str, Child]) -> None:
    """A child whose outputs nobody reads is either dead or wired by hand somewhere it should not be."""
    read = {logical_id for logical_id, _ in get_atts(root)}
    assert set(children) <= read


def test_root_outputs_are_exactly_the_contract(root: dict[str, Any]) -> None:
    expected = contract_outputs()
    assert len(expected) > 20, f"parsed too few names from {INTERFACES}: {expected}"
    assert sorted(root["Outputs"]) == sorted(expected)

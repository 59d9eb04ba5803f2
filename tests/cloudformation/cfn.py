"""The template tree as cfn-lint reads it (short-form intrinsics in long form), and where things live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.decode import decode

REPO = Path(__file__).resolve().parents[2]
CFN_DIR = REPO / "cloudformation"
ROOT_TEMPLATE = CFN_DIR / "main.yaml"
PARAMS_DIR = CFN_DIR / "params"
INTERFACES = REPO / "docs" / "interfaces.md"
NESTED_STACK = "AWS::CloudFormation::Stack"


def load(path: Path) -> dict[str, Any]:
    """Parse a template with cfn-lint's own loader; a parse error fails the test that asked."""
    template, matches = decode(str(path))
    assert not matches, f"{path}: {[str(match) for match in matches]}"
    assert template is not None
    return template


@dataclass(frozen=True)
class Child:
    """A nested stack of the root and the template its local TemplateURL names."""

    logical_id: str
    path: Path
    resource: dict[str, Any]
    template: dict[str, Any]


def children_of(root: dict[str, Any]) -> dict[str, Child]:
    found = {}
    for logical_id, resource in root["Resources"].items():
        if resource["Type"] != NESTED_STACK:
            continue
        url = resource["Properties"]["TemplateURL"]
        assert isinstance(url, str) and "://" not in url, f"{logical_id}: TemplateURL must be a local path"
        path = (ROOT_TEMPLATE.parent / url).resolve()
        found[logical_id] = Child(logical_id, path, resource, load(path))
    return found

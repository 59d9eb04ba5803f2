"""Read CloudFormation templates as data: short-form intrinsics, nested children, declared parameters.

Short tags become their long form (`!GetAtt A.B.C` -> `Fn::GetAtt: [A, B.C]`), as `aws cloudformation
package` does, so a packaged template means exactly what the source meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from relay.errors import RelayError

NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp rule: `2010-09-09` must stay the string CloudFormation expects."""


_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if suffix == "GetAtt" and isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node).split(".", 1)
    elif isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


@dataclass(frozen=True)
class Template:
    """A parsed template and where it came from (for messages and for resolving relative children)."""

    path: Path
    body: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.body["Resources"]
        return resources

    @property
    def parameters(self) -> dict[str, Any]:
        parameters: dict[str, Any] = self.body.get("Parameters") or {}
        return parameters

    def required_parameters(self) -> list[str]:
        """Parameters without a Default: a params file must set them."""
        return [name for name, spec in self.parameters.items() if "Default" not in (spec or {})]

    def local_children(self) -> dict[str, Path]:
        """Nested stacks whose TemplateURL is a local path, by logical id, resolved beside this file."""
        children = {}
        for logical_id, resource in self.resources.items():
            url = (resource.get("Properties") or {}).get("TemplateURL")
            if resource.get("Type") == NESTED_STACK_TYPE and isinstance(url, str) and is_local(url):
                children[logical_id] = (self.path.parent / url).resolve()
        return children


def is_local(url: str) -> bool:
    """A TemplateURL that names a file rather than an S3/HTTP(S) location."""
    return urlparse(url).scheme not in ("http", "https", "s3")


def load_template(path: Path) -> Template:
    """Parse and structurally check one template; any problem is one line naming the file."""
    if not path.is_file():
        raise RelayError(f"template {path} does not exist")
    try:
        body = yaml.load(path.read_text(), Loader=_TemplateLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RelayError(f"invalid template {where}: {problem}") from error
    if not isinstance(body, dict):
        raise RelayError(f"invalid template {path}: expected a mapping with Resources at the top")
    resources = body.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise RelayError(f"invalid template {path}: no Resources section (a template needs at least one)")
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise RelayError(f"invalid template {path}: resource {logical_id} has no Type")
    if not isinstance(body.get("Parameters") or {}, dict):
        raise RelayError(f"invalid template {path}: Parameters must be a mapping")
    return Template(path=path, body=body)


def load_tree(root: Path) -> list[Template]:
    """The root and every local child, recursively (children first), each loaded and checked once."""
    ordered: list[Template] = []
    seen: set[Path] = set()

    def visit(path: Path, chain: tuple[Path, ...]) -> None:
        if path in chain:
            raise RelayError(f"invalid template {path}: it nests itself (through {chain[-1]})")
        if path in seen:
            return
        template = load_template(path)
        for child in template.local_children().values():
            visit(child, (*chain, path))
        seen.add(path)
        ordered.append(template)

    visit(root.resolve(), ())
    return ordered


def dump_template(body: dict[str, Any]) -> str:
    """The template as YAML (long-form intrinsics); deterministic, so equal content hashes equally."""
    return yaml.safe_dump(body, sort_keys=False, default_flow_style=False, width=1000)

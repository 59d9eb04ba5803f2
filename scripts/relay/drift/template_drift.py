"""Template drift: the template a stack runs differs from what the repository would deploy now.

Which local file belongs to which stack: a root stack `relay-<env>` in a region uses the `Template`
of `params/<env>.<region>.json` (the interface contract, read as `relay stack deploy` reads it). A
nested child is matched through its parent: the parent's local template names the child's file in the
TemplateURL of the nested-stack resource with the child's logical id. TemplateURL itself is left out
of the comparison (packaging rewrites it to an S3 URL); the child's content is compared on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError

from relay.contract import environment_of, stack_name
from relay.drift.model import DRIFTED, IN_SYNC, NOT_CHECKED, TemplateDrift
from relay.errors import RelayError
from relay.stacks.params import root_template
from relay.stacks.target import StackTarget
from relay.stacks.templates import NESTED_STACK_TYPE
from relay.stacks.tree import StackNode
from relay.waiting import Throttled, retry_throttled

DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "cloudformation"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags, read into their long (JSON) form."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _short_form)


def parse(body: str | dict[str, Any]) -> dict[str, Any]:
    """A template as data, whether it came as YAML, JSON or already decoded (boto3 decodes JSON)."""
    if isinstance(body, dict):
        return body
    parsed = yaml.load(body, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    return parsed if isinstance(parsed, dict) else {}


def _comparable(template: dict[str, Any]) -> dict[str, Any]:
    """The template without nested stacks' TemplateURL, which packaging always rewrites."""
    copied: dict[str, Any] = json.loads(json.dumps(template, default=str))
    for resource in copied.get("Resources", {}).values():
        if isinstance(resource, dict) and resource.get("Type") == NESTED_STACK_TYPE:
            resource.get("Properties", {}).pop("TemplateURL", None)
    return copied


def differences(deployed: Any, local: Any, path: str = "") -> list[str]:
    """Readable differences, one per changed, added or removed element."""
    if isinstance(deployed, dict) and isinstance(local, dict):
        found = []
        for key in sorted(set(deployed) | set(local), key=str):
            where = f"{path}/{key}"
            if key not in local:
                found.append(f"{where}: only in the deployed template")
            elif key not in deployed:
                found.append(f"{where}: only in the repository")
            else:
                found.extend(differences(deployed[key], local[key], where))
        return found
    if isinstance(deployed, list) and isinstance(local, list) and len(deployed) == len(local):
        return [
            d
            for i, (a, b) in enumerate(zip(deployed, local, strict=True))
            for d in differences(a, b, f"{path}/{i}")
        ]
    if deployed != local:
        return [
            f"{path or '/'}: deployed {json.dumps(deployed, default=str)}, "
            f"repository {json.dumps(local, default=str)}"
        ]
    return []


@dataclass(frozen=True)
class TemplateSource:
    """Where the repository's templates are (the `cloudformation/` folder)."""

    directory: Path = DEFAULT_TEMPLATE_DIR

    def root_template(self, name: str, region: str) -> tuple[Path | None, str]:
        """The local template of a root stack, or None and why it is unknown."""
        env = environment_of(name)
        if env is None:
            return None, f"no local template: {name} is not named {stack_name('<env>')}"
        try:
            return root_template(StackTarget(env, region, self.directory)), ""
        except RelayError as error:
            return None, f"no local template: {error.message}"


def _child_file(parent_file: Path, parent: dict[str, Any], logical_id: str) -> tuple[Path | None, str]:
    url = parent.get("Resources", {}).get(logical_id, {}).get("Properties", {}).get("TemplateURL")
    if not isinstance(url, str) or "://" in url:
        return None, f"no local template: {parent_file.name} gives {logical_id} no local TemplateURL"
    return (parent_file.parent / url).resolve(), ""


def _compare(cfn: Any, node: StackNode, local_file: Path) -> tuple[TemplateDrift, dict[str, Any] | None]:
    try:
        local = parse(local_file.read_text())
    except (OSError, yaml.YAMLError) as error:
        return TemplateDrift(NOT_CHECKED, str(local_file), f"cannot read the local template: {error}"), None
    try:
        body = retry_throttled(lambda: cfn.get_template(StackName=node.stack_id, TemplateStage="Original"))
    except (ClientError, BotoCoreError, Throttled) as error:
        return TemplateDrift(NOT_CHECKED, str(local_file), f"GetTemplate failed: {error}"), local
    found = differences(_comparable(parse(body["TemplateBody"])), _comparable(local))
    return TemplateDrift(DRIFTED if found else IN_SYNC, str(local_file), differences=found), local


def check_tree(cfn: Any, root: StackNode, region: str, source: TemplateSource) -> dict[str, TemplateDrift]:
    """Template drift of a root stack and each nested stack, by stack id."""
    results: dict[str, TemplateDrift] = {}

    def visit(node: StackNode, local_file: Path | None, reason: str) -> None:
        local: dict[str, Any] | None = None
        if local_file is None:
            results[node.stack_id] = TemplateDrift(NOT_CHECKED, reason=reason)
        else:
            results[node.stack_id], local = _compare(cfn, node, local_file)
        for child in node.children:
            if local_file is None or local is None:
                visit(child, None, f"no local template: the parent's is unknown ({reason or 'unreadable'})")
            else:
                visit(child, *_child_file(local_file, local, child.path[-1]))

    visit(root, *source.root_template(root.name, region))
    return results

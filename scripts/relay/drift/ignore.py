"""Ignore rules: known, accepted differences, each with the reason it is accepted.

File format (YAML):

    rules:
      - stack: relay-prod          # glob on the root or the nested stack's name (optional)
        region: us-west-2          # optional
        logical_id: AppSetting*    # optional glob
        resource_type: AWS::SSM::Parameter   # optional glob
        property_path: /Value      # optional glob; without it the whole resource is ignored
        reason: rotated by the ops runbook, see OPS-123   # mandatory

Ignored differences stay in the report, marked ignored; they only stop counting as drift. `relay drift`
and the deploy gate read the same rules (`rules_for`): the file given with --ignore, else the one
relay.yaml names (`drift.ignore`), else `drift-ignore.yaml` beside the templates, so what a scan
accepts never blocks a deploy.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import yaml

from relay.drift.model import RootReport, StackResult
from relay.errors import RelayError
from relay.service.load import current

SELECTORS = ("stack", "region", "logical_id", "resource_type", "property_path")
DEFAULT_FILE = "drift-ignore.yaml"  # in the template tree (cloudformation/), read when no file is given


@dataclass(frozen=True)
class IgnoreRule:
    reason: str
    stack: str = "*"
    region: str = "*"
    logical_id: str = "*"
    resource_type: str = "*"
    property_path: str | None = None

    def matches_stack(self, root: RootReport, stack: StackResult) -> bool:
        names = (root.name, stack.name)
        return fnmatchcase(stack.region, self.region) and any(fnmatchcase(n, self.stack) for n in names)


def _rule(entry: object, where: str) -> IgnoreRule:
    if not isinstance(entry, dict):
        raise RelayError(f"{where}: a rule is a mapping with selectors and a reason")
    unknown = sorted(set(entry) - {*SELECTORS, "reason"})
    if unknown:
        raise RelayError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(SELECTORS)}, reason"
        )
    reason = str(entry.get("reason") or "").strip()
    if not reason:
        raise RelayError(f"{where}: every rule needs a reason (why is this difference accepted?)")
    if not any(entry.get(key) for key in SELECTORS):
        raise RelayError(f"{where}: a rule needs at least one of {', '.join(SELECTORS)}")
    return IgnoreRule(reason=reason, **{key: str(entry[key]) for key in SELECTORS if entry.get(key)})


def load(path: Path) -> list[IgnoreRule]:
    """Read and validate an ignore file; every problem names the rule to fix."""
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise RelayError(f"cannot read ignore rules {path}: {error}") from error
    entries = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise RelayError(f"{path}: expected a top-level `rules:` list")
    return [_rule(entry, f"{path}: rule {number}") for number, entry in enumerate(entries, start=1)]


def rules_for(path: Path | None, cfn_dir: Path) -> tuple[IgnoreRule, ...]:
    """The rules in force: the file given, else the one relay.yaml names, else the template tree's
    drift-ignore.yaml, else none. A file named by the user or relay.yaml must exist."""
    path = path or current().drift_ignore
    if path is None:
        path = cfn_dir / DEFAULT_FILE
        if not path.is_file():
            return ()
    return tuple(load(path))


def apply(rules: list[IgnoreRule], root: RootReport) -> None:
    """Mark the differences (or whole resources) that a rule covers, with the first rule's reason."""
    for stack in root.stacks:
        for rule in (r for r in rules if r.matches_stack(root, stack)):
            for resource in stack.resources:
                if not (
                    fnmatchcase(resource.logical_id, rule.logical_id)
                    and fnmatchcase(resource.resource_type, rule.resource_type)
                ):
                    continue
                if rule.property_path is None:
                    resource.ignored = resource.ignored or rule.reason
                    continue
                for difference in resource.differences:
                    if difference.ignored is None and fnmatchcase(difference.path, rule.property_path):
                        difference.ignored = rule.reason

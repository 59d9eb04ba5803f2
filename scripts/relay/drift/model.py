"""The results of a scan: per resource, per stack, per root, and the exit code they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IN_SYNC, MODIFIED, DELETED, NOT_CHECKED, DRIFTED = "IN_SYNC", "MODIFIED", "DELETED", "NOT_CHECKED", "DRIFTED"
EXIT_IN_SYNC, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2


@dataclass
class PropertyDifference:
    """One property that differs: AWS's PropertyPath, expected and actual values and DifferenceType."""

    path: str
    expected: str
    actual: str
    kind: str
    ignored: str | None = None  # the reason of the ignore rule that matched


@dataclass
class ResourceResult:
    logical_id: str
    physical_id: str
    resource_type: str
    status: str
    differences: list[PropertyDifference] = field(default_factory=list)
    reason: str = ""  # why it was not checked
    ignored: str | None = None  # set when a rule ignores the whole resource (e.g. DELETED)

    @property
    def drifted(self) -> bool:
        """Drift that counts: MODIFIED or DELETED and not entirely covered by ignore rules."""
        if self.status not in (MODIFIED, DELETED) or self.ignored:
            return False
        return not self.differences or any(d.ignored is None for d in self.differences)

    @property
    def shown_status(self) -> str:
        return "IGNORED" if self.status in (MODIFIED, DELETED) and not self.drifted else self.status


@dataclass
class TemplateDrift:
    """Deployed template against the repository's: IN_SYNC, DRIFTED or NOT_CHECKED (with the reason)."""

    status: str
    local_path: str = ""
    reason: str = ""
    differences: list[str] = field(default_factory=list)


@dataclass
class StackResult:
    name: str
    stack_id: str
    region: str
    path: list[str]  # logical ids from the root down to this stack; [] for the root
    status: str = NOT_CHECKED
    reason: str = ""
    resources: list[ResourceResult] = field(default_factory=list)
    template: TemplateDrift | None = None

    @property
    def label(self) -> str:
        """The stack as people read it: root name, then the nested logical ids."""
        return "/".join([self.name] if not self.path else self.path)


@dataclass
class RootReport:
    """A root stack and every nested stack under it, in one report."""

    region: str
    name: str
    stacks: list[StackResult]

    @property
    def status(self) -> str:
        if any(stack.status == DRIFTED for stack in self.stacks):
            return DRIFTED
        return NOT_CHECKED if any(stack.status == NOT_CHECKED for stack in self.stacks) else IN_SYNC

    @property
    def template_drifted(self) -> bool:
        return any(stack.template and stack.template.status == DRIFTED for stack in self.stacks)


@dataclass
class ScanReport:
    roots: list[RootReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what stopped a whole region or stack lookup

    @property
    def exit_code(self) -> int:
        """2 when drift is proven (even if part of the scan failed), 1 when anything went unchecked."""
        if any(root.status == DRIFTED or root.template_drifted for root in self.roots):
            return EXIT_DRIFT
        if self.errors or any(root.status == NOT_CHECKED for root in self.roots):
            return EXIT_ERROR
        return EXIT_IN_SYNC

    def summary(self) -> dict[str, Any]:
        stacks = [stack for root in self.roots for stack in root.stacks]
        resources = [resource for stack in stacks for resource in stack.resources]
        return {
            "roots": len(self.roots),
            "stacks": len(stacks),
            "stacks_not_checked": sum(stack.status == NOT_CHECKED for stack in stacks),
            "resources": len(resources),
            "resources_checked": sum(resource.status != NOT_CHECKED for resource in resources),
            "resources_drifted": sum(resource.drifted for resource in resources),
            "resources_ignored": sum(resource.shown_status == "IGNORED" for resource in resources),
            "resources_not_checked": sum(resource.status == NOT_CHECKED for resource in resources),
            "templates_drifted": sum(bool(s.template and s.template.status == DRIFTED) for s in stacks),
            "errors": len(self.errors),
            "exit_code": self.exit_code,
        }

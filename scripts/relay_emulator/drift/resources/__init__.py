"""Live-state readers, one module per AWS service; each maps CloudFormation types to a reader.

A reader answers the resource's current properties in the template's shape, or None when the
resource is gone (DELETED). Types without a reader are left out of drift results, as AWS does.
This package holds what the readers share; `drift.detector` lists the reader modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Properties = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    """Where a stack resource lives, and what its template declares (intrinsics resolved).

    `others`: the type and resolved properties of the stack's other resources, for state that a
    resource shares with them (a security group's rules declared as separate rule resources).
    """

    account_id: str
    region: str
    physical_id: str
    expected: Properties
    others: tuple[tuple[str, Properties], ...] = field(default=())


Reader = Callable[[Resource], Properties | None]


def tag_list(tags: dict[str, str] | list[dict[str, str]] | None) -> list[dict[str, str]]:
    """Tags as CloudFormation lists them, without the `aws:` tags AWS adds and drift ignores."""
    if isinstance(tags, dict):
        pairs = list(tags.items())
    else:  # EC2 answers lower-case keys, the other services capitalised ones
        pairs = [(str(t.get("Key", t.get("key"))), str(t.get("Value", t.get("value")))) for t in tags or []]
    return [{"Key": key, "Value": value} for key, value in sorted(pairs) if not key.startswith("aws:")]

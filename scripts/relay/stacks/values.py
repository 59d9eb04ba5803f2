"""A root stack parameter's value before deploy: a string, or another stack's output read at deploy time.

Relay uses no cross-region exports: a standby names the primary's outputs it needs, and `relay stack
deploy` reads them when it makes the change set.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StackOutputRef:
    """A parameter value read from another stack's output at deploy time."""

    region: str
    stack: str
    output: str


ParameterValue = str | StackOutputRef

"""Checks that run before any change set is created; one failing check stops the deployment.

The drift gate is the first: it raises `RelayError(..., exit_code=2)` when the stack drifted beyond
what the ignore rules accept (those `relay drift` reads), unless `relay stack deploy --allow-drift`.
Add a check by appending it to `PRE_DEPLOY_CHECKS` (or pass `checks=` to `deploy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay.aws import AwsFactory
from relay.drift import gate, ignore
from relay.stacks.target import StackTarget


@dataclass(frozen=True)
class CheckContext:
    """What a check may look at: the target, the stack as it is now (None before the first deploy)."""

    aws: AwsFactory
    target: StackTarget
    stack: dict[str, Any] | None
    allow_drift: bool
    ignore_file: Path | None = None  # None: the template tree's drift-ignore.yaml, if any


PreDeployCheck = Callable[[CheckContext], None]
"""Returns when the deployment may go on; raises RelayError saying why and what to do otherwise."""


def no_drift(context: CheckContext) -> None:
    """Deploying over drift reverts someone's change unseen: stop unless told it is fine."""
    if context.stack is None or context.allow_drift:
        return
    rules = ignore.rules_for(context.ignore_file, context.target.cfn_dir)
    gate.check(context.aws, context.target.region, context.target.stack_name, rules)


PRE_DEPLOY_CHECKS: list[PreDeployCheck] = [no_drift]

"""Which stack a command means: environment and region checked, the stack name and params file derived."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from relay.contract import stack_name
from relay.service.load import current
from relay.vocabulary import check_environment, check_environment_region


def cfn_dir_from_environment() -> Path:
    """The template tree: $RELAY_CFN_DIR, else relay.yaml's `templates` (beside the file)."""
    configured = os.environ.get("RELAY_CFN_DIR")
    return Path(configured) if configured else current().templates


@dataclass(frozen=True)
class StackTarget:
    """One root stack: `<service>-<env>` in one region, described by relay.yaml and, when the service
    has one, `<cfn_dir>/params/<env>.<region>.json`.

    The service is relay.yaml's (`relay-<env>` for Relay itself).
    """

    env: str
    region: str
    cfn_dir: Path
    # False for a service on Relay's platform templates: the params files beside them are Relay's.
    own_params: bool = True

    @property
    def stack_name(self) -> str:
        return stack_name(self.env)

    @property
    def params_file(self) -> Path:
        return self.cfn_dir / "params" / f"{self.env}.{self.region}.json"

    def __str__(self) -> str:
        return f"{self.stack_name} in {self.region}"


def resolve_target(env: str, region: str, cfn_dir: Path | None = None) -> StackTarget:
    """Check the environment and region against the contract; say what is allowed when they are not."""
    config = current()
    chosen = cfn_dir or cfn_dir_from_environment()
    return StackTarget(
        env=check_environment(env),
        region=check_environment_region(env, region),
        cfn_dir=chosen,
        own_params=not (config.borrows_templates and chosen == config.templates),
    )

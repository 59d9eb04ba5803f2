"""Which stack a command means: environment and region checked, the stack name and params file derived."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from relay.contract import stack_name
from relay.vocabulary import check_environment, check_region

DEFAULT_CFN_DIR = Path(__file__).resolve().parents[3] / "cloudformation"


def cfn_dir_from_environment() -> Path:
    """The template tree: $RELAY_CFN_DIR, else the repository's cloudformation/ folder."""
    configured = os.environ.get("RELAY_CFN_DIR")
    return Path(configured) if configured else DEFAULT_CFN_DIR


@dataclass(frozen=True)
class StackTarget:
    """One root stack: `relay-<env>` in one region, described by `<cfn_dir>/params/<env>.<region>.json`."""

    env: str
    region: str
    cfn_dir: Path

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
    return StackTarget(
        env=check_environment(env), region=check_region(region), cfn_dir=cfn_dir or cfn_dir_from_environment()
    )

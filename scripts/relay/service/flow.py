"""The pipeline a service's relay.yaml implies: its stages in order, derived here so Groovy only runs them.

Each environment, in the file's order, is deployed, bundled, released and smoke-tested in its primary
region, then its standby (when it has one) is deployed and put on the same release. An environment with
approvers is previewed and approved first and released behind a second approval; one without ends with
a drift gate. From the first environment with approvers on, every stage needs the production branch: a
branch build stops before it (docs/jenkins.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from relay.contract import stack_name
from relay.errors import RelayError
from relay.service.model import Environment, ServiceConfig


@dataclass(frozen=True)
class FlowStage:
    """One stage of the pipeline: what it does (`action`), to which environment and region.

    `to` is the standby region of a `standby` stage ('' otherwise); `approvers` are who may approve an
    `approve` or `release` stage (none: it needs no approval); `production_branch` marks a stage a
    branch build never runs. No value is null: Jenkins' JSON reader turns null into an object of its own.
    """

    name: str
    action: str
    env: str
    region: str
    stack: str
    to: str
    approvers: tuple[str, ...]
    production_branch: bool

    def document(self) -> dict[str, object]:
        return {**asdict(self), "approvers": list(self.approvers)}


def chosen(config: ServiceConfig, names: tuple[str, ...]) -> tuple[Environment, ...]:
    """The environments a build runs: `names` in the file's order, or all of them when none are given."""
    unknown = [name for name in names if name not in config.environments]
    if unknown:
        raise RelayError(
            f"unknown environment(s) {', '.join(unknown)}; use some of: {', '.join(config.environments)} "
            f"(defined in {config.shown_as})"
        )
    return tuple(env for env in config.environments.values() if not names or env.name in names)


def flow(config: ServiceConfig, names: tuple[str, ...] = ()) -> list[FlowStage]:
    """Every stage of the chosen environments, in the order the pipeline runs them."""
    stages: list[FlowStage] = []
    gated = False
    for env in chosen(config, names):
        gated = gated or bool(env.approvers)
        stages += _environment(env, gated)
    return stages


def _environment(env: Environment, gated: bool) -> list[FlowStage]:
    def stage(
        name: str, action: str, region: str = env.primary, to: str = "", approvers: tuple[str, ...] = ()
    ) -> FlowStage:
        return FlowStage(name, action, env.name, region, stack_name(env.name), to, approvers, gated)

    name = env.name
    stages = []
    if env.approvers:
        stages += [
            stage(f"Preview {name}", "preview"),
            stage(f"Approve {name}", "approve", approvers=env.approvers),
        ]
    stages += [
        stage(f"Deploy {name}", "deploy"),
        stage(f"Bundle {name}", "bundle"),
        stage(f"Release {name}", "release", approvers=env.approvers),
        stage(f"Smoke {name}", "smoke"),
    ]
    if env.standby:
        stages += [
            stage(f"Deploy {name} standby", "deploy", region=env.standby),
            stage(f"Release {name} standby", "standby", to=env.standby),
        ]
    if not env.approvers:
        stages.append(stage(f"Drift gate {name}", "drift"))
    return stages

"""DR benchmark: the RPO a drill measures (seconds and orders lost), its promote time, the modelled AWS RTO.

    .venv/bin/python bench/dr_bench.py [--rounds 1]

Each round runs three drills, each on its own emulator (127.0.0.1) and a fresh primary (us-east-1) and
standby (us-west-2) built by the DR tests' world builder, with orders written on the primary first:
- `caught-up`: the replica has replayed every order (lag 0);
- `replay-paused`: replay paused, more orders written, then the drill within the RPO budget: the lag is
  real, but promotion replays the WAL the replica received, so nothing is lost;
- `link-cut`: the replica cut off from its source (a region failure), more orders written, the lag over
  a 1-second budget, the drill forced (`--force-rpo`): the orders written after the cut are lost.
A drill is promote + failback through the CLI's functions; the emulator's promote time measures Relay's
own steps (the emulator compresses AWS's minutes into seconds), the modelled RTO is the plan's, from
documented AWS durations (scripts/relay/dr/model.py). Prints one JSON document.
Targets: 0 orders lost by every drill within its budget; modelled RTO <= 8 minutes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "dr")]

from dr_world import PRIMARY, STANDBY, World, serve_standby_app  # noqa: E402 - needs the path set-up

from relay.aws import AwsFactory  # noqa: E402
from relay.dr import live_release, operations, steps  # noqa: E402
from relay_emulator import process  # noqa: E402
from tests.emulator.relay_api import control  # noqa: E402

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": PRIMARY,
}
ENV = "demo"
ORDERS_BEFORE, ORDERS_AT_RISK = 20, 5
LAG_SECONDS = 2.0  # how long the orders at risk wait before the drill: the lag it measures
RTO_TARGET_SECONDS = 8 * 60


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: str | None  # the emulator fault on the replica before the orders at risk
    budget_seconds: float
    forced: bool


SCENARIOS = (
    Scenario("caught-up", None, 60.0, False),
    Scenario("replay-paused", "replay_paused", 60.0, False),
    Scenario("link-cut", "replication_cut", 1.0, True),
)


@contextmanager
def emulated_world(app_port: int) -> Iterator[World]:
    """A fresh emulator with both regions built; the world's stand-ins for what it lacks installed."""
    work = Path(tempfile.mkdtemp(prefix="dr-bench-"))
    state, _ = process.start(directory=work)
    try:
        world = World(AwsFactory(endpoint_url=state.endpoint), ENV, app_port, state.port)
        world.build()
        # The world has no load balancer or CodeDeploy release: stand in for the release's functions.
        live_release.last_released = world.last_released
        steps.standby_smoke = world.smoke
        yield world
    finally:
        process.stop(work)


def drill(world: World, scenario: Scenario, report_dir: Path) -> dict[str, Any]:
    """Orders on the primary, the scenario's fault and orders at risk, then one drill; what it measured."""
    world.replicated(world.place_orders(ORDERS_BEFORE))
    at_risk: list[int] = []
    if scenario.fault:
        control(world.emulator_port, "/relay-api/faults", {scenario.fault: [world.db_id]})
        at_risk = world.place_orders(ORDERS_AT_RISK)
        time.sleep(LAG_SECONDS)
    forced = "bench: the primary's region is lost" if scenario.forced else None
    request = operations.Request(ENV, PRIMARY, STANDBY, report_dir, True, f"{ENV}-{STANDBY}")
    request = dataclasses.replace(request, rpo_budget=scenario.budget_seconds, force_rpo=forced)
    plan, _ = operations.plan(world.aws, request)
    result = operations.drill(world.aws, request)
    return {
        "scenario": scenario.name,
        "status": result.status,
        "rpo_budget_seconds": scenario.budget_seconds,
        "forced": scenario.forced,
        "orders_at_risk": len(at_risk),
        "rpo_seconds": result.rpo_seconds,
        "orders_lost": result.orders_lost,
        "orders_lost_detail": result.orders_lost_detail,
        "promote_seconds": round(result.facts.get("promote_rto_seconds") or 0.0, 2),
        "drill_seconds": round(result.rto_seconds or 0.0, 2),
        "modelled_aws_rto_seconds": plan.modelled_rto_seconds,
    }


def summary(drills: list[dict[str, Any]]) -> dict[str, Any]:
    within = [d for d in drills if not d["forced"]]
    lost_within = [d["orders_lost"] for d in within]
    modelled = max(d["modelled_aws_rto_seconds"] for d in drills)
    return {
        "drills": len(drills),
        "all_done": all(d["status"] == "done" for d in drills),
        "orders_lost_within_budget": lost_within,
        "orders_lost_when_forced": [d["orders_lost"] for d in drills if d["forced"]],
        "promote_seconds_max": max(d["promote_seconds"] for d in drills),
        "modelled_aws_rto_minutes": round(modelled / 60, 2),
        "targets": {
            "zero_orders_lost_within_budget": all(lost == 0 for lost in lost_within),
            "modelled_rto_within_8_minutes": modelled <= RTO_TARGET_SECONDS,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the three scenarios (default 1)")
    rounds = parser.parse_args().rounds
    os.environ.update(FAKE_CREDENTIALS)
    app = serve_standby_app()
    drills = []
    try:
        for _ in range(rounds):
            for scenario in SCENARIOS:
                with emulated_world(app.server_address[1]) as world:
                    drills.append(drill(world, scenario, Path(tempfile.mkdtemp(prefix="dr-bench-reports-"))))
    finally:
        app.shutdown()
    print(json.dumps({"summary": summary(drills), "drills": drills}, indent=2))


if __name__ == "__main__":
    main()

"""DR benchmark: the modelled AWS RTO of the promotion plan, and a measured drill on the emulator.

    .venv/bin/python bench/dr_bench.py

Starts its own emulator on 127.0.0.1, builds a primary (us-east-1) and a standby (us-west-2) with the
DR tests' world builder, then runs `relay dr plan` and `relay dr drill` through the CLI's functions.
The modelled RTO uses documented typical AWS durations (scripts/relay/dr/model.py) along the critical path
of the plan, where independent steps overlap; the emulator time measures Relay's own overhead (the
emulator compresses AWS's minutes into fractions of a second). Prints one JSON document.
Target: modelled RTO <= 10 minutes.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "dr")]

from dr_world import PRIMARY, STANDBY, World, serve_standby_app  # noqa: E402 - needs the path set-up

from relay.aws import AwsFactory  # noqa: E402
from relay.dr import live_release, model, operations, steps  # noqa: E402
from relay_emulator import process  # noqa: E402

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": PRIMARY,
}


def main() -> None:
    os.environ.update(FAKE_CREDENTIALS)
    work = Path(tempfile.mkdtemp(prefix="dr-bench-"))
    state, _ = process.start(directory=work)
    app = serve_standby_app()
    try:
        aws = AwsFactory(endpoint_url=state.endpoint)
        world = World(aws, "demo", app.server_address[1], state.port)
        started = time.perf_counter()
        world.build()
        # The world has no load balancer or CodeDeploy release: stand in for the release's functions.
        live_release.last_released = world.last_released
        steps.standby_smoke = world.smoke
        build_seconds = time.perf_counter() - started
        request = operations.Request(
            env="demo",
            source=PRIMARY,
            target=STANDBY,
            report_dir=work / "reports",
            execute=True,
            confirm=f"demo-{STANDBY}",
        )
        plan, ready = operations.plan(aws, request)
        started = time.perf_counter()
        drill = operations.drill(aws, request)
        drill_wall = time.perf_counter() - started
    finally:
        app.shutdown()
        process.stop(work)
    promote_steps = [row for row in drill.rows if row.name.startswith("promote:")]
    print(
        json.dumps(
            {
                "modelled_aws": {
                    "rto_seconds": plan.modelled_rto_seconds,
                    "rto_minutes": round(plan.modelled_rto_seconds / 60, 2),
                    "serial_seconds": plan.serial_seconds,
                    "saved_by_parallel_steps_seconds": plan.serial_seconds - plan.modelled_rto_seconds,
                    "critical_path": plan.critical_path,
                    "typical_step_seconds": {row.name: row.expected_seconds for row in plan.rows},
                    "target_seconds": model.RTO_TARGET_SECONDS,
                    "meets_target": plan.modelled_rto_seconds <= model.RTO_TARGET_SECONDS,
                },
                "emulator": {
                    "plan_ready": ready,
                    "world_build_seconds": round(build_seconds, 2),
                    "drill_seconds": round(drill.rto_seconds or 0.0, 2),
                    "drill_wall_seconds": round(drill_wall, 2),
                    "promote_rto_seconds": round(drill.facts.get("promote_rto_seconds") or 0.0, 2),
                    "estimated_rpo_seconds": drill.rpo_seconds,
                    "promote_step_seconds": {row.name: round(row.seconds or 0.0, 3) for row in promote_steps},
                    "status": drill.status,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

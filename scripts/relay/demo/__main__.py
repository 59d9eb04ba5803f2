"""`python -m relay.demo [--stop]`: what `make demo` and `make demo-stop` run."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from relay.console import err
from relay.demo import report_page
from relay.demo.runner import DemoContext, run_stages, summarize
from relay.demo.stages import STAGES, stop_started_processes

ROOT = Path(__file__).resolve().parents[3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stop", action="store_true", help="stop everything a previous demo started")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports" / "demo")
    arguments = parser.parse_args()
    state_dir = Path(os.environ.get("RELAY_STATE_DIR") or ROOT / ".relay")
    state_dir.mkdir(parents=True, exist_ok=True)
    stopped = stop_started_processes(state_dir)  # a re-run starts clean: idempotent by construction
    if arguments.stop:
        err.print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
        return 0
    context = DemoContext(
        root=ROOT, report_dir=arguments.report_dir, env={**os.environ, "RELAY_STATE_DIR": str(state_dir)}
    )
    try:
        results, wall_seconds = run_stages(context, STAGES)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]: stopping what the demo started")
        stop_started_processes(state_dir)
        return 130
    summarize(context, results, wall_seconds)
    report_page.write(context, results, wall_seconds)
    if not all(result.ok for result in results):
        return 1
    facts = context.facts
    region = facts.get("api_region")
    err.print(f"\nThe API is live in [bold]{region}[/]: [bold]{facts.get('api')}[/]")
    # Commands to copy (the curl line, the switch back) are never wrapped, whatever the width.
    err.print(f"  try: {facts.get('api_curl')}/version", soft_wrap=True, markup=False)
    err.print(f"  Route 53 failover records now: {facts.get('dns_records')}; the drill left {region} serving")
    err.print("  and the other region re-protected as its standby. To switch back, in a shell:")
    err.print(f'  export RELAY_STATE_DIR={state_dir}; eval "$(relay emulator env)"', soft_wrap=True)
    err.print(f"  {facts.get('switch_back')}", soft_wrap=True, markup=False)
    err.print(f"Reports: {context.report_dir}   Stop everything: [bold]make demo-stop[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())

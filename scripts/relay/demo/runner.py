"""Runs demo stages with a progress line each, logs every command, and ends with a timed summary.

Stages run as soon as the stages they need are done, as a pipeline would: independent work (linting while
the emulator starts, the standby region while the primary releases) overlaps on the wall clock.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Column

from relay.aws import AwsFactory
from relay.console import err
from relay.errors import RelayError
from relay.tables import titled_table


@dataclass
class DemoContext:
    """What every stage shares: where reports go, the environment for child commands, what it found."""

    root: Path
    report_dir: Path
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    facts: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None

    def relay(
        self, *args: str, check: bool = True, ok_codes: tuple[int, ...] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        """Run the real `relay` CLI (the one door), logging its output to the current stage's log."""
        return self.run([sys.executable, "-m", "relay", *args], check=check, ok_codes=ok_codes)

    def aws(self, service: str, region: str) -> Any:
        """A boto3 client on the demo's endpoint (the emulator), for what a stage checks directly."""
        return AwsFactory.from_environment(endpoint_url=self.env["AWS_ENDPOINT_URL"]).client(service, region)

    def run(
        self, argv: list[str], check: bool = True, ok_codes: tuple[int, ...] = (0,), timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run a command from the project root; append its output to the stage log."""
        result = subprocess.run(
            argv,
            cwd=self.root,
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if self.log_path is not None:
            with self.log_path.open("a") as log:
                log.write(f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}\n[exit {result.returncode}]\n")
        if check and result.returncode not in ok_codes:
            last = (result.stderr or result.stdout).strip().splitlines()[-5:]
            raise RelayError(
                f"`{' '.join(argv[2:] if argv[0] == sys.executable else argv)}` exited "
                f"{result.returncode}: {' | '.join(last)}"
            )
        return result


@dataclass(frozen=True)
class Stage:
    """A named step; `after` names the stages it needs (None: every stage listed before it)."""

    name: str
    run: Callable[[DemoContext], str]
    after: tuple[str, ...] | None = None


@dataclass
class StageResult:
    name: str
    seconds: float
    outcome: str
    ok: bool
    started_at: float = 0.0  # seconds after the demo started


def _needs(stages: list[Stage]) -> dict[str, set[str]]:
    """Each stage's prerequisites; an unknown name is a mistake in the stage list."""
    names = [stage.name for stage in stages]
    needs = {}
    for index, stage in enumerate(stages):
        needs[stage.name] = set(names[:index] if stage.after is None else stage.after)
        if unknown := needs[stage.name] - set(names):
            raise RelayError(f"stage {stage.name!r} waits for unknown stages: {sorted(unknown)}")
    return needs


def run_stages(context: DemoContext, stages: list[Stage]) -> tuple[list[StageResult], float]:
    """Run the stages, each once its prerequisites succeeded; after a failure start nothing new.

    Returns the results in the listed order and the wall-clock seconds of the whole run.
    """
    context.report_dir.mkdir(parents=True, exist_ok=True)
    needs = _needs(stages)
    number = {stage.name: index for index, stage in enumerate(stages, start=1)}
    done: dict[str, StageResult] = {}
    running: list[str] = []  # in start order, for the progress line
    finished: queue.Queue[StageResult] = queue.Queue()
    began = time.monotonic()

    def log_path(name: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        return context.report_dir / f"{number[name]:02d}-{slug}.log"

    def start(stage: Stage) -> None:
        own = dataclasses.replace(context, log_path=log_path(stage.name))  # shares env and facts
        log_path(stage.name).write_text("")
        running.append(stage.name)

        def work() -> None:
            started = time.monotonic()
            try:
                outcome, ok = stage.run(own), True
            except (RelayError, subprocess.TimeoutExpired) as error:
                outcome, ok = str(error), False
            except Exception as error:  # a bug in a stage: reported, or the run would wait forever
                outcome, ok = f"{type(error).__name__}: {error}", False
            finished.put(StageResult(stage.name, time.monotonic() - started, outcome, ok, started - began))

        threading.Thread(target=work, name=f"stage-{number[stage.name]}", daemon=True).start()

    failed = False
    with err.status("") as status:
        while True:
            if not failed:
                for stage in stages:
                    if (
                        stage.name not in done
                        and stage.name not in running
                        and needs[stage.name] <= set(done)
                    ):
                        start(stage)
            if not running:
                break
            status.update(" ".join(f"[bold]{number[name]}/{len(stages)}[/] {name} ..." for name in running))
            result = finished.get()
            running.remove(result.name)
            done[result.name] = result
            mark = "[green]✓[/]" if result.ok else "[red]✗[/]"
            err.print(
                f"{mark} {number[result.name]}/{len(stages)} {result.name} "
                f"[dim]({result.seconds:.1f}s)[/] {result.outcome}"
            )
            if not result.ok:
                failed = True
                err.print(f"[red]stage failed[/]; its log: {log_path(result.name)}")
    if not failed and (stuck := [stage.name for stage in stages if stage.name not in done]):
        raise RelayError(f"stages wait for each other and never ran: {', '.join(stuck)}")
    return [done[stage.name] for stage in stages if stage.name in done], time.monotonic() - began


def beside(result: StageResult, results: list[StageResult]) -> list[StageResult]:
    """The other stages that ran while this one did (their times overlap)."""
    end = result.started_at + result.seconds
    return [
        other
        for other in results
        if other is not result
        and other.started_at < end
        and result.started_at < other.started_at + other.seconds
    ]


def summarize(context: DemoContext, results: list[StageResult], wall_seconds: float) -> None:
    """A table of stages in the order they started, with the stages each ran beside, on the terminal; the
    same as JSON in the report folder.

    Stages overlap, so the total is the wall-clock time, not the sum of the stage times.
    """
    table = titled_table(
        "Relay demo",
        "stage",
        Column("start", justify="right"),
        Column("seconds", justify="right"),
        "ran beside",
        Column("outcome", overflow="fold"),
    )
    for result in sorted(results, key=lambda item: item.started_at):
        style = None if result.ok else "red"
        table.add_row(
            result.name,
            f"+{result.started_at:.1f}",
            f"{result.seconds:.1f}",
            ", ".join(other.name for other in beside(result, results)),
            result.outcome,
            style=style,
        )
    table.add_row("total (wall clock)", "", f"{wall_seconds:.1f}", "", "", style="bold")
    err.print(table)
    summary = {
        "stages": [result.__dict__ for result in results],
        "total_seconds": round(wall_seconds, 1),
        "stage_seconds_sum": round(sum(r.seconds for r in results), 1),
        "facts": context.facts,
        "ok": all(r.ok for r in results),
    }
    (context.report_dir / "summary.json").write_text(json.dumps(summary, indent=2))

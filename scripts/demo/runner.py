"""Runs demo stages with a progress line each, logs every command, and ends with a timed summary."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scripts.errors import RelayError

console = Console(stderr=True)


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
        return self.run([sys.executable, "-m", "scripts", *args], check=check, ok_codes=ok_codes)

    def run(
        self, argv: list[str], check: bool = True, ok_codes: tuple[int, ...] = (0,), timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run a command from the project root; append its output to the stage log."""
        result = subprocess.run(
            argv, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
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


Stage = tuple[str, Callable[[DemoContext], str]]


@dataclass
class StageResult:
    name: str
    seconds: float
    outcome: str
    ok: bool


def run_stages(context: DemoContext, stages: list[Stage]) -> list[StageResult]:
    """Run each stage in order; stop at the first failure, which is shown with its log."""
    results: list[StageResult] = []
    context.report_dir.mkdir(parents=True, exist_ok=True)
    for index, (name, stage) in enumerate(stages, start=1):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        context.log_path = context.report_dir / f"{index:02d}-{slug}.log"
        context.log_path.write_text("")
        started = time.monotonic()
        with console.status(f"[bold]{index}/{len(stages)}[/] {name} ..."):
            try:
                outcome, ok = stage(context), True
            except (RelayError, subprocess.TimeoutExpired) as error:
                outcome, ok = str(error), False
        seconds = time.monotonic() - started
        results.append(StageResult(name, seconds, outcome, ok))
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        console.print(f"{mark} {index}/{len(stages)} {name} [dim]({seconds:.1f}s)[/] {outcome}")
        if not ok:
            console.print(f"[red]stage failed[/]; its log: {context.log_path}")
            break
    return results


def summarize(context: DemoContext, results: list[StageResult]) -> None:
    """A table of stages and timings on the terminal, and the same as JSON in the report folder."""
    table = Table(title="Relay demo", title_justify="left")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    table.add_column("outcome", overflow="fold")
    for result in results:
        style = None if result.ok else "red"
        table.add_row(result.name, f"{result.seconds:.1f}", result.outcome, style=style)
    table.add_row("total", f"{sum(r.seconds for r in results):.1f}", "", style="bold")
    console.print(table)
    summary = {
        "stages": [result.__dict__ for result in results],
        "total_seconds": round(sum(r.seconds for r in results), 1),
        "facts": context.facts,
        "ok": all(r.ok for r in results),
    }
    (context.report_dir / "summary.json").write_text(json.dumps(summary, indent=2))

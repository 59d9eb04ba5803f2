"""The demo's stage runner: prerequisites respected, independent stages overlap, a failure stops new ones."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from relay.demo.runner import DemoContext, Stage, StageResult, beside, run_stages
from relay.errors import RelayError


def test_independent_stages_overlap_and_the_rest_wait_for_what_they_need(tmp_path: Path) -> None:
    both_running = threading.Barrier(2, timeout=10)  # breaks (and fails the stage) unless a and b overlap
    order: list[str] = []

    def together(name: str) -> Stage:
        def run(_: DemoContext) -> str:
            both_running.wait()
            order.append(name)
            return f"{name} done"

        return Stage(name, run, after=())

    def last(_: DemoContext) -> str:
        order.append("c")
        return "c done"

    results, wall = run_stages(
        DemoContext(tmp_path, tmp_path / "reports"), [together("a"), together("b"), Stage("c", last)]
    )

    assert [(r.name, r.ok, r.outcome) for r in results] == [
        ("a", True, "a done"),
        ("b", True, "b done"),
        ("c", True, "c done"),
    ]
    assert order[-1] == "c" and wall >= max(r.seconds for r in results)
    assert (tmp_path / "reports" / "03-c.log").exists()


def test_a_failure_starts_nothing_new_and_is_reported(tmp_path: Path) -> None:
    def broken(_: DemoContext) -> str:
        raise RelayError("the emulator did not start")

    def never(_: DemoContext) -> str:
        raise AssertionError("must not run after a failure")

    results, _ = run_stages(DemoContext(tmp_path, tmp_path), [Stage("up", broken), Stage("next", never)])

    assert [(r.name, r.ok, r.outcome) for r in results] == [("up", False, "the emulator did not start")]


def test_unknown_prerequisites_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RelayError, match="unknown stages"):
        run_stages(DemoContext(tmp_path, tmp_path), [Stage("a", lambda _: "", after=("nope",))])


def test_the_summary_names_the_stages_each_one_ran_beside() -> None:
    up = StageResult("emulator up", 35.0, "up", True, started_at=0.0)
    lint = StageResult("templates linted", 20.0, "0 findings", True, started_at=0.0)
    stacks = StageResult("primary stacks deployed", 28.0, "deployed", True, started_at=35.0)
    bundle = StageResult("bundle built", 42.0, "built", True, started_at=63.0)
    standby = StageResult("standby stacks deployed", 48.0, "deployed", True, started_at=63.0)
    listed = [up, lint, stacks, bundle, standby]

    assert beside(up, listed) == [lint] and beside(lint, listed) == [up]
    assert beside(stacks, listed) == [], "one that starts as another ends did not run beside it"
    assert beside(bundle, listed) == [standby] and beside(standby, listed) == [bundle]

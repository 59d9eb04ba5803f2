"""`relay dr` as the DR tests call it: in-process, JSON out, against the world's emulator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from dr_world import PRIMARY, STANDBY, World

from relay.cli import main
from tests.emulator.relay_api import control


def confirm(world: World, region: str = STANDBY) -> list[str]:
    return ["--execute", "--confirm", f"{world.env}-{region}"]


def relay(world: World, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    """Run `relay --output json dr ...` in-process; return the exit code and the JSON it printed.

    Anything it wrote to stderr stays readable for the test (the JSON is stdout).
    """
    capsys.readouterr()
    code = main(["--endpoint-url", str(world.aws.endpoint_url), "--output", "json", "dr", *args])
    captured = capsys.readouterr()
    print(captured.err, end="", file=sys.stderr)
    return code, json.loads(captured.out) if captured.out.strip() else None


def dr(
    world: World, capsys: pytest.CaptureFixture[str], command: str, report_dir: Path, *extra: str
) -> tuple[int, Any]:
    where = ["--env", world.env, "--from", PRIMARY, "--to", STANDBY, "--report-dir", str(report_dir)]
    return relay(world, capsys, command, *where, *extra)


def faults(world: World, body: dict[str, Any]) -> None:
    """Inject DR faults into the world's emulator."""
    control(world.emulator_port, "/relay-api/faults", body)

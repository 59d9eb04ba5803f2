"""Helpers shared by the `relay stack` tests (a module of its own: `conftest` is not importable by name)."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from relay.cli import main
from relay_emulator.process import EmulatorState

TEMPLATES = Path(__file__).parent / "templates"

Relay = Callable[..., subprocess.CompletedProcess[str]]


def reset(emulator: EmulatorState) -> None:
    """Empty every region of the emulator."""
    request = urllib.request.Request(f"{emulator.endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).close()


def cli_on(cfn_dir: Path, capsys: pytest.CaptureFixture[str]) -> Relay:
    """Run the `relay` CLI's entry point on a template tree (in-process: a subprocess pays seconds of
    imports per call); stdin is pytest's, which is not a terminal, as in a pipeline."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        code = main([*args, "--cfn-dir", str(cfn_dir)])
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)

    return run


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))

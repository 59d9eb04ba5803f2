"""The Makefile as a newcomer meets it: `make help` readable in a pipe, coloured only on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ESCAPE = "\x1b["


def test_help_into_a_pipe_has_no_colour_codes() -> None:
    result = subprocess.run(
        ["make", "help"], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True
    )
    assert "test" in result.stdout and "demo" in result.stdout
    assert ESCAPE not in result.stdout


def _help_on_a_terminal(extra_env: dict[str, str]) -> str:
    controller, terminal = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"} | extra_env
    with subprocess.Popen(["make", "help"], cwd=ROOT, stdout=terminal, stderr=terminal, env=env) as make:
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closes when make exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        make.wait(timeout=30)
    os.close(controller)
    return b"".join(chunks).decode()


def test_help_on_a_terminal_is_coloured_unless_no_color() -> None:
    assert ESCAPE in _help_on_a_terminal({})
    assert ESCAPE not in _help_on_a_terminal({"NO_COLOR": "1"})

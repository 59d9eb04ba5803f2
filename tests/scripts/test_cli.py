"""The CLI's front door: help, version, exit codes and the errors a newcomer meets first."""

from __future__ import annotations

import subprocess
import sys

import pytest

from relay import __version__
from relay.cli import main


def run_relay(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a child process, as Jenkins' `sh` would."""
    return subprocess.run(
        [sys.executable, "-m", "relay", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = run_relay("--help")
    assert result.returncode == 0
    for word in ("emulator", "version", "--endpoint-url", "--region", "--output"):
        assert word in result.stdout


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == f"relay {__version__}"


def test_unknown_command_is_an_error_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 1
    assert "No such command" in capsys.readouterr().err


def test_bad_output_format_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--output", "yaml", "version"]) == 1
    assert "'yaml' is not one of" in capsys.readouterr().err

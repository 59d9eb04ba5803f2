"""The `relay` CLI run in-process on the repository's real templates, on an emptied emulator.

Tests that deploy `cloudformation/main.yaml` use the contract's fixed stack names (relay-demo), so they
start from an empty account and leave one behind for the tests that share the session's emulator.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from relay.cli import main
from relay_emulator.process import EmulatorState

Relay = Callable[..., subprocess.CompletedProcess[str]]


def reset(emulator: EmulatorState) -> None:
    request = urllib.request.Request(f"{emulator.endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).close()


@pytest.fixture
def relay(emulator: EmulatorState, capsys: pytest.CaptureFixture[str]) -> Iterator[Relay]:
    """`relay ARGS...` in this process (a subprocess pays seconds of imports per call)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)

    reset(emulator)
    yield run
    reset(emulator)


def deploy(relay: Relay, region: str, *overrides: str) -> subprocess.CompletedProcess[str]:
    """`relay stack deploy --env demo` of the real templates; overrides are NAME=VALUE parameters."""
    flags = [flag for override in overrides for flag in ("--parameter", override)]
    result = relay("stack", "deploy", "--env", "demo", "--region", region, "--yes", *flags)
    assert result.returncode == 0, result.stderr
    return result


def drift(relay: Relay, *regions: str) -> tuple[int, dict[str, Any]]:
    """`relay drift` of relay-demo in the given regions: exit code and JSON report."""
    flags = [flag for region in regions for flag in ("--region", region)]
    result = relay("--output", "json", "drift", "--stack", "relay-demo", *flags)
    return result.returncode, json.loads(result.stdout)

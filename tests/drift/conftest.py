"""Drift fixtures: a deployed nested stack, the real CLI run in-process, the emulator's drift knobs."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from drift_helpers import DeployedStack, Relay, deploy

from relay import cli
from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState


@pytest.fixture
def stack(aws: AwsFactory, tmp_path: Path) -> DeployedStack:
    return deploy(aws, tmp_path)


@pytest.fixture
def relay(capsys: pytest.CaptureFixture[str]) -> Relay:
    """Run `relay ARGS...` in this process (the real CLI entry point); answer (exit code, stdout)."""

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = cli.main(list(args))
        return code, capsys.readouterr().out

    return run


@pytest.fixture
def drift_settings(emulator: EmulatorState) -> Iterator[Callable[..., dict[str, Any]]]:
    """Set the emulator's drift knobs (/relay-api/drift); restored after the test."""

    def post(**values: Any) -> dict[str, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{emulator.port}/relay-api/drift",
            data=json.dumps(values).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer: dict[str, Any] = json.load(response)
            return answer

    yield post
    post(detection_seconds=0.2, throttle_ratio=0.0, resource_throttle_ratio=0.0, seed=0)

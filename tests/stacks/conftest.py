"""Fixtures for `relay stack` tests: a clean emulator per test, a private copy of the test templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from stack_support import TEMPLATES, Relay, cli_on, reset

from relay_emulator.process import EmulatorState


@pytest.fixture
def clean_emulator(emulator: EmulatorState) -> EmulatorState:
    """Stack names are fixed by the contract (relay-<env>), so every test starts from an empty account."""
    reset(emulator)
    return emulator


@pytest.fixture
def cfn_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/stacks/templates, so a test can edit params and templates."""
    target = tmp_path / "cfn"
    shutil.copytree(TEMPLATES, target)
    return target


@pytest.fixture
def relay(emulator: EmulatorState, cfn_dir: Path, capsys: pytest.CaptureFixture[str]) -> Relay:
    """The CLI on the test's copy of tests/stacks/templates."""
    return cli_on(cfn_dir, capsys)

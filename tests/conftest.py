"""Fixtures shared by every test folder: the running emulator, AWS clients bound to it; the CI rules."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from relay.aws import AwsFactory
from relay_emulator import process

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
pytest_plugins = ["ci_rules"]  # under CI=true nothing may skip or xfail (tests/ci_rules.py)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[process.EmulatorState]:
    """One emulator process per test session (per xdist worker), started as `relay emulator start` does."""
    state_dir: Path = tmp_path_factory.mktemp("emulator-state")
    state, _ = process.start(directory=state_dir)
    saved = {key: os.environ.get(key) for key in [*FAKE_CREDENTIALS, "AWS_ENDPOINT_URL", "RELAY_STATE_DIR"]}
    os.environ.update(FAKE_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = state.endpoint
    os.environ["RELAY_STATE_DIR"] = str(state_dir)
    try:
        yield state
    finally:
        process.stop(state_dir)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def aws(emulator: process.EmulatorState) -> AwsFactory:
    """An AwsFactory bound to the session's emulator."""
    return AwsFactory(endpoint_url=emulator.endpoint)


@pytest.fixture(scope="session")
def dr_emulator(
    emulator: process.EmulatorState, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[process.EmulatorState]:
    """A second emulator (the shared one's credentials) for the DR tests and the tests of the emulator's
    DR services: they leave replicas behind and cut regions off, which the shared one's tests must not see.
    """
    directory = tmp_path_factory.mktemp("dr-emulator")
    state, _ = process.start(directory=directory)
    try:
        yield state
    finally:
        process.stop(directory)

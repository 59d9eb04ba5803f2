"""DR tests run on an emulator of their own (`dr_emulator`: their faults must not hit other tests) and get a
fresh world each.

Each test builds both regions under an environment name of its own, so no test sees another's state
and the emulator never needs a (slow) reset. Relay's code runs as it is: no function of Relay's is
replaced (the world's app is the simplification, dr_world.py says which).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from dr_world import World

from relay.aws import AwsFactory
from relay.service.load import REPOSITORY_CONFIG
from relay.service.model import SMOKE_PROBES
from relay_emulator import process
from tests.emulator.relay_api import control

_ENV_NUMBERS = itertools.count(1)


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dr_emulator: process.EmulatorState,
) -> Iterator[World]:
    """Both regions, freshly built: primary in us-east-1, standby with its replica in us-west-2.

    The environment is `demo` for a test marked `@pytest.mark.env("demo")`, else a name of its own.
    """
    marker = request.node.get_closest_marker("env")
    env = marker.args[0] if marker else f"dr{next(_ENV_NUMBERS)}"
    # A world of its own is an environment Relay knows, as `relay --env` checks.
    monkeypatch.setenv("RELAY_CONFIG", str(_config_with(env, tmp_path)))
    built = World(AwsFactory(endpoint_url=dr_emulator.endpoint), env, dr_emulator.port)
    built.build()
    try:
        yield built
    finally:
        control(dr_emulator.port, "/relay-api/faults", method="DELETE")
        built.retire()


def _config_with(env: str, directory: Path) -> Path:
    """Relay's relay.yaml plus the world's environment in both regions (drills allowed outside prod); the
    world's app declares only the probes (no write checks: dr_world.py)."""
    document = yaml.safe_load(REPOSITORY_CONFIG.read_text())
    document["app"]["smoke"] = SMOKE_PROBES
    document["templates"] = str(REPOSITORY_CONFIG.parent / document["templates"])
    document["environments"][env] = {
        "regions": {"primary": "us-east-1", "standby": "us-west-2"},
        "drills": env != "prod",
    }
    path = directory / "relay.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "env(name): the environment name the DR test world is built under")


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    return tmp_path / "reports"

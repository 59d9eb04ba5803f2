"""Bundles built once per test session (a good one, a second release of it, a broken build, a build
answering 5xx) and the demo stack on the emulator with the local traffic mapping."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.release.bundle import REPO, Bundle, build
from relay.stacks.deploy import deploy
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control

ENV, REGION = "demo", "us-east-1"
WHEEL_CACHE = REPO / "build" / "cache"  # the locked wheelhouse is downloaded once per lock file
BROKEN_APP = b"""

def create_app(config=None):  # the broken build: imports fine, cannot start
    raise RuntimeError("broken build: the app cannot start")
"""
FAILING_APP = b"""

_create_app = create_app


def create_app(config=None):  # the 5xx build: deploys, passes every check, but its product list fails
    app = _create_app(config)

    @app.before_request
    def _fail():
        from flask import request

        if request.method == "GET" and request.path == "/products":
            return ("this build cannot list products", 500)
        return None

    return app
"""


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    return build(tmp_path_factory.mktemp("bundle"), WHEEL_CACHE, release_id="test-1")


@pytest.fixture(scope="session")
def next_bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    return build(tmp_path_factory.mktemp("bundle-next"), WHEEL_CACHE, release_id="test-2")


def _patch_app(wheel: bytes, appended: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(wheel)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data + appended if info.filename == "app/__init__.py" else data)
    return out.getvalue()


def _variant(bundle: Bundle, path: Path, appended: bytes, release_id: str) -> Path:
    """The good bundle with `appended` at the end of its app wheel's app/__init__.py, as `release_id`."""
    with zipfile.ZipFile(bundle.path) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("wheelhouse/relay_app-"):
                data = _patch_app(data, appended)
            elif info.filename == "release.json":
                data = data.replace(b'"test-1"', f'"{release_id}"'.encode())
            target.writestr(info, data)
    return path


@pytest.fixture(scope="session")
def broken_bundle(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The good bundle whose app wheel's create_app raises (and with its own release id)."""
    return _variant(
        bundle, tmp_path_factory.mktemp("bundle-broken") / "broken.zip", BROKEN_APP, "test-broken"
    )


@pytest.fixture(scope="session")
def failing_bundle(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The good bundle whose app answers 500 on GET /products (release id test-5xx): the checks a
    deployment makes (/readyz, /version, a product created and read back) pass, as a real bad build's can."""
    return _variant(bundle, tmp_path_factory.mktemp("bundle-5xx") / "failing.zip", FAILING_APP, "test-5xx")


@pytest.fixture
def local_traffic(emulator: EmulatorState, monkeypatch: pytest.MonkeyPatch) -> Callable[[], dict[str, Any]]:
    """Reads the emulator's local traffic mapping and sets RELAY_CONNECT_TO from it; call after deploying."""

    def read() -> dict[str, Any]:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{emulator.port}/relay-api/traffic", timeout=10
        ) as response:
            mapping: dict[str, Any] = json.load(response)
        monkeypatch.setenv("RELAY_CONNECT_TO", str(mapping["connect_to"]))
        return mapping

    return read


@pytest.fixture
def stack(aws: AwsFactory, emulator: EmulatorState, local_traffic: Callable[[], dict[str, Any]]) -> str:
    """The demo stack in us-east-1, whose app verifies its database with the emulator's CA; returns the
    local URL of /version through its production listener."""
    tls: Any = control(emulator.port, "/relay-api/tls", method="GET")
    # allow_drift: tests release with record=False, which leaves the listeners' weights and the slots'
    # sizes where the release put them, not where the stack says (a recorded release writes them back).
    deploy(aws, ENV, REGION, yes=True, allow_drift=True, parameter_overrides={"DbCaBundle": tls["ca_bundle"]})
    mapping = local_traffic()
    production = read_root_stack(aws, ENV, REGION).listener_arn
    local = next(item["local"] for item in mapping["listeners"] if item["listener_arn"] == production)
    return f"http://{local}/version"

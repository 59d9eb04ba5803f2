"""Bundles built once per test session: a good one, a second release of it, and a broken build."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from scripts.release.bundle import REPO, Bundle, build

WHEEL_CACHE = REPO / "build" / "cache"  # the locked wheelhouse is downloaded once per lock file
BROKEN_APP = b"""

def create_app(config=None):  # the broken build: imports fine, cannot start
    raise RuntimeError("broken build: the app cannot start")
"""


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    return build(tmp_path_factory.mktemp("bundle"), WHEEL_CACHE, release_id="test-1")


@pytest.fixture(scope="session")
def next_bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    return build(tmp_path_factory.mktemp("bundle-next"), WHEEL_CACHE, release_id="test-2")


def _break(wheel: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(wheel)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data + BROKEN_APP if info.filename == "app/__init__.py" else data)
    return out.getvalue()


@pytest.fixture(scope="session")
def broken_bundle(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The good bundle whose app wheel's create_app raises (and with its own release id)."""
    path = tmp_path_factory.mktemp("bundle-broken") / "broken.zip"
    with zipfile.ZipFile(bundle.path) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("wheelhouse/relay-"):
                data = _break(data)
            elif info.filename == "release.json":
                data = data.replace(b'"test-1"', b'"test-broken"')
            target.writestr(info, data)
    return path

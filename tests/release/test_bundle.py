"""`relay bundle`: reproducible bytes, and the contents the appspec and hooks need."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from relay.release.bundle import REPO, Bundle, build


def test_same_inputs_give_the_same_sha256(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> None:
    again = build(tmp_path_factory.mktemp("again"), REPO / "build" / "cache", release_id="test-1")
    assert again.sha256 == bundle.sha256
    assert again.key == f"bundles/sha256/{bundle.sha256}.zip"


def test_contents_are_what_the_appspec_needs(bundle: Bundle) -> None:
    with zipfile.ZipFile(bundle.path) as archive:
        names = set(archive.namelist())
        spec = yaml.safe_load(archive.read("appspec.yml"))
        release = json.loads(archive.read("release.json"))
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        dates = {info.date_time for info in archive.infolist()}
    for scripts in spec["hooks"].values():
        for script in scripts:
            assert script["location"] in names and modes[script["location"]] & 0o111
    assert {"hooks/lib.sh", "systemd/relay-api.service", "requirements.lock"} <= names
    wheels = {Path(name).name.split("-")[0].lower() for name in names if name.startswith("wheelhouse/")}
    assert {"relay", "flask", "gunicorn", "sqlalchemy", "alembic", "psycopg"} <= wheels
    assert release == {"release_id": "test-1", "version": bundle.version, "git_sha": bundle.git_sha}
    assert dates == {(1980, 1, 1, 0, 0, 0)}

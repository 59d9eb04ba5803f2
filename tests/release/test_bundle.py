"""`relay bundle`: reproducible bytes, the contents the appspec and hooks need, and an app wheel that
holds the app only and installs from the bundle alone."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from relay.release.bundle import LOCK_FILE, REPO, Bundle, build, git_sha


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
    assert {"relay_app", "flask", "gunicorn", "sqlalchemy", "alembic", "psycopg"} <= wheels
    assert "relay" not in wheels
    assert release == {
        "release_id": "test-1",
        "version": bundle.version,
        "git_sha": bundle.git_sha,
        "wsgi": "app:create_app()",  # relay.yaml's app block: what the hooks and the unit run and probe
        "port": 8000,
        "migrate": "app.migrate",
        "health_path": "/healthz",
        "readiness_path": "/readyz",
        "version_path": "/version",
    }
    assert dates == {(1980, 1, 1, 0, 0, 0)}


def test_git_sha_is_dirty_only_when_what_is_bundled_changed(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    bundled = ["app/api.py", "codedeploy/appspec.yml", "pyproject.toml"]
    elsewhere = ["scripts/relay/cli.py", "README.md"]
    for name in bundled + elsewhere:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("committed\n")
    git("init", "--quiet")
    git("add", ".")
    git("-c", "user.name=Relay", "-c", "user.email=relay@example.invalid", "commit", "--quiet", "-m", "x")
    clean = git_sha(tmp_path)
    for name in elsewhere:
        (tmp_path / name).write_text("changed\n")
    assert git_sha(tmp_path) == clean and not clean.endswith("-dirty")
    for name in bundled:
        (tmp_path / name).write_text("changed\n")
        assert git_sha(tmp_path) == f"{clean}-dirty", name
        git("checkout", "--", name)


def _app_wheel(bundle: Bundle) -> zipfile.ZipFile:
    with zipfile.ZipFile(bundle.path) as archive:
        (name,) = [name for name in archive.namelist() if name.startswith("wheelhouse/relay_app-")]
        return zipfile.ZipFile(io.BytesIO(archive.read(name)))


def _project_name(requirement: str) -> str:
    """The normalised project name a requirement or lock line starts with (PEP 503)."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def test_the_app_wheel_holds_the_app_and_its_migrations_only(bundle: Bundle) -> None:
    with _app_wheel(bundle) as wheel:
        names = wheel.namelist()
        metadata = wheel.read("relay_app-0.1.0.dist-info/METADATA").decode()
    outside = [name for name in names if not name.startswith(("app/", "relay_app-0.1.0.dist-info/"))]
    assert outside == []
    assert "relay_app-0.1.0.dist-info/entry_points.txt" not in names  # no `relay` console script
    assert {"app/gunicorn.conf.py", "app/migrations/alembic.ini", "app/migrations/script.py.mako"} <= set(
        names
    )
    assert any(name.startswith("app/migrations/versions/0001_") for name in names)
    # Every requirement of the wheel is pinned by the lock the wheelhouse is downloaded from.
    required = {
        _project_name(line.split(":", 1)[1].strip())
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    }
    locked = {_project_name(line) for line in LOCK_FILE.read_text().splitlines() if not line.startswith("#")}
    assert required and required <= locked


def test_the_install_hook_builds_a_venv_from_the_wheelhouse_alone(bundle: Bundle, tmp_path: Path) -> None:
    """The real AfterInstall hook (no index, locked wheels, `pip check`), then `import app` in its venv."""
    root = tmp_path / "root"
    with zipfile.ZipFile(bundle.path) as archive:
        archive.extractall(root / "incoming")
    clean = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RELAY_ROOT": str(root),
        "RELAY_PYTHON": str(Path(sys.base_prefix) / "bin" / "python3"),  # as the local fleet runs hooks
        "PIP_CONFIG_FILE": os.devnull,  # no find-links or index from this machine's pip settings
    }
    installed = subprocess.run(
        ["bash", str(root / "incoming/hooks/install.sh")],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    (built,) = (root / "releases").iterdir()  # AfterInstall builds it; ApplicationStart points current at it
    venv_python = built / "venv/bin/python"
    probe = (
        "import importlib.util, app, app.migrations as m, pathlib;"
        "print(app.__file__);"
        "print((pathlib.Path(m.__file__).parent / 'alembic.ini').is_file());"
        "print(importlib.util.find_spec('relay'), importlib.util.find_spec('relay_emulator'))"
    )
    imported = subprocess.run(
        [str(venv_python), "-c", probe], env=clean, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert imported.returncode == 0, imported.stderr
    app_file, has_migrations, others = imported.stdout.splitlines()
    assert Path(app_file).is_relative_to(built / "venv") and has_migrations == "True"
    assert others == "None None"
    assert not (built / "venv/bin/relay").exists()

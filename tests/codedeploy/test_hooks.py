"""The hooks: shellcheck clean, each bounded by the appspec, failing or tolerant by design."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from scripts.emulator.lifecycle.fleet import free_port

CODEDEPLOY = Path(__file__).resolve().parents[2] / "codedeploy"
HOOKS = CODEDEPLOY / "hooks"


def env_for(root: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "RELAY_ROOT": str(root),
        "RELAY_SERVICE_MANAGER": "process",
        "RELAY_APP_PORT": str(free_port()),
        "AWS_REGION": "us-east-1",
        **extra,
    }


def test_shellcheck_is_clean() -> None:
    assert shutil.which("shellcheck"), (
        "shellcheck is missing: apt-get install shellcheck (.ci/apt-packages.txt)"
    )
    result = subprocess.run(
        ["shellcheck", *sorted(map(str, HOOKS.glob("*.sh")))], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_every_hook_has_a_timeout_and_runas_and_exists() -> None:
    spec = yaml.safe_load((CODEDEPLOY / "appspec.yml").read_text())
    assert spec["version"] == 0.0 and spec["os"] == "linux"
    for event, scripts in spec["hooks"].items():
        for script in scripts:
            assert script["timeout"] > 0 and script["runas"], event
            assert (CODEDEPLOY / script["location"]).stat().st_mode & 0o111, script["location"]
    assert sum(s["timeout"] for scripts in spec["hooks"].values() for s in scripts) < 3600


def test_stop_tolerates_a_first_install_and_a_stale_pid(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    assert subprocess.run([str(HOOKS / "stop.sh")], env=env, capture_output=True, check=False).returncode == 0
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "gunicorn.pid").write_text("999999\n")
    result = subprocess.run([str(HOOKS / "stop.sh")], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "no gunicorn running" in result.stderr
    assert not (tmp_path / "run" / "gunicorn.pid").exists()


def test_validate_gives_up_at_its_deadline(tmp_path: Path) -> None:
    (tmp_path / "current").mkdir()
    (tmp_path / "current" / "release.json").write_text('{"release_id": "r1"}')
    env = env_for(tmp_path, RELAY_VALIDATE_SECONDS="1")
    result = subprocess.run(
        [str(HOOKS / "validate.sh")], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 1
    assert "release r1 not ready" in result.stderr and "within 1s" in result.stderr


def test_unknown_service_manager_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(HOOKS / "stop.sh")],
        env=env_for(tmp_path, RELAY_SERVICE_MANAGER="upstart"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "unknown RELAY_SERVICE_MANAGER=upstart" in result.stderr

"""The lifecycle runner runs the real hooks of a built bundle in a temporary root, as the agent would."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from relay.release.bundle import Bundle
from relay_emulator.codedeploy.lifecycle.agent import Agent, Deployment
from relay_emulator.codedeploy.lifecycle.instance import APP_PATH, LocalInstance
from relay_emulator.ec2 import user_data
from relay_emulator.ports import claim_port


def make_instance(root: Path, name: str, database: str, validate_seconds: int = 60) -> LocalInstance:
    """An instance whose user data writes the app's settings (a local database, one small worker)."""
    instance = LocalInstance(f"i-{name}", root / name, claim_port(), validate_seconds)
    settings = {
        "RELAY_APP_DATABASE_URL": database,
        "RELAY_APP_WORKERS": "1",
        "RELAY_APP_DRAIN_SECONDS": "0.2",
        "RELAY_APP_DRAIN_FILE": str(root / name / "draining"),
        "AWS_REGION": "us-east-1",
    }
    content = "".join(f"{key}={value}\n" for key, value in settings.items())
    document = {"write_files": [{"path": "/etc/relay/app.env", "content": content}]}
    user_data.boot(instance.root, "#cloud-config\n" + yaml.safe_dump(document))
    return instance


def deploy(instance: LocalInstance, bundle: Path, deployment_id: str) -> Agent:
    agent = Agent(instance)
    agent.deploy(
        Deployment(deployment_id, "relay", "relay-test-blue", "dg-1"),
        functools.partial(shutil.copyfile, bundle),
    )
    return agent


def statuses(agent: Agent) -> dict[str, str]:
    return {event.name: event.status for event in agent.events}


def get(instance: LocalInstance, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{instance.port}{path}", timeout=5) as response:
        body: str = response.read().decode()
        return body


def stop(instance: LocalInstance) -> None:
    hooks = instance.root / APP_PATH / "incoming" / "hooks"
    subprocess.run(
        [str(hooks / "stop.sh")], env=instance.hook_env(), check=True, timeout=60, capture_output=True
    )


@pytest.fixture
def instances(tmp_path: Path) -> Iterator[tuple[LocalInstance, LocalInstance]]:
    database = f"sqlite:///{tmp_path / 'app.db'}"
    pair = (
        make_instance(tmp_path, "blue", database),
        make_instance(tmp_path, "green", database, validate_seconds=5),
    )
    yield pair
    for instance in pair:
        if (instance.root / APP_PATH / "incoming" / "hooks").exists():
            stop(instance)


ALL_SUCCEEDED = {
    "DownloadBundle": "Succeeded",
    "BeforeInstall": "Succeeded",
    "Install": "Succeeded",
    "AfterInstall": "Succeeded",
    "ApplicationStart": "Succeeded",
    "ValidateService": "Succeeded",
}


def test_first_deploy_then_again_is_idempotent(
    instances: tuple[LocalInstance, LocalInstance], bundle: Bundle
) -> None:
    blue, _ = instances
    first = deploy(blue, bundle.path, "d-1")
    assert statuses(first) == {
        "ApplicationStop": "Skipped",
        **ALL_SUCCEEDED,
    }  # nothing to stop on a new instance
    assert '"test-1"' in get(blue, "/version")

    second = deploy(blue, bundle.path, "d-2")
    assert statuses(second) == {"ApplicationStop": "Succeeded", **ALL_SUCCEEDED}
    assert '"test-1"' in get(blue, "/version")
    assert (
        "already installed"
        in (blue.agent_root / "deployment-logs/codedeploy-agent-deployments.log").read_text()
    )

    stop(blue)
    with pytest.raises(OSError):
        get(blue, "/readyz")
    stop(blue)  # stop is tolerant: nothing running is fine


def test_broken_build_fails_validate_and_the_previous_release_keeps_serving(
    instances: tuple[LocalInstance, LocalInstance], bundle: Bundle, broken_bundle: Path
) -> None:
    blue, green = instances
    assert statuses(deploy(blue, bundle.path, "d-good"))["ValidateService"] == "Succeeded"

    broken = deploy(green, broken_bundle, "d-broken")
    result = statuses(broken)
    assert result["ApplicationStart"] == "Succeeded"
    assert result["ValidateService"] == "Failed"
    validate = next(event for event in broken.events if event.name == "ValidateService")
    assert validate.error_code == "ScriptFailed"
    assert "not ready" in validate.log_tail and "within 5s" in validate.log_tail
    assert '"test-1"' in get(blue, "/version")


def test_install_without_a_system_pip_gives_the_virtualenv_its_own(tmp_path: Path, bundle: Bundle) -> None:
    """Where the system python has no pip that can target another environment, ensurepip is the way."""
    python = tmp_path / "bin" / "python3"  # a system python whose pip is missing
    python.parent.mkdir()
    python.write_text(
        f'#!/bin/sh\n[ "$1 $2" = "-m pip" ] && {{ echo "No module named pip" >&2; exit 1; }}\n'
        f'exec {sys.base_prefix}/bin/python3 "$@"\n'
    )
    python.chmod(0o755)
    root = tmp_path / "relay"
    with zipfile.ZipFile(bundle.path) as revision:
        revision.extractall(root / "incoming")
    settings = tmp_path / "app.env"  # what user data writes
    settings.touch()
    env = {
        "PATH": "/usr/bin:/bin",
        "RELAY_ROOT": str(root),
        "RELAY_PYTHON": str(python),
        "RELAY_ENV_FILE": str(settings),
    }
    for hook in ("prepare.sh", "install.sh"):
        subprocess.run(["bash", str(root / "incoming" / "hooks" / hook)], env=env, check=True, timeout=300)

    release = root / "releases" / json.loads((root / "incoming" / "release.json").read_text())["release_id"]
    venv = release / "venv"
    assert (venv / "bin" / "pip").exists() and (venv / "bin" / "gunicorn").exists()
    assert (release / ".installed").exists()

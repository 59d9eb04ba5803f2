"""appspec `files` write only inside the instance: `..` and symlinks out of its root fail the deployment."""

from __future__ import annotations

import functools
import shutil
import zipfile
from pathlib import Path

import pytest

from relay_emulator.codedeploy.lifecycle.agent import Agent, Deployment, EventResult
from relay_emulator.codedeploy.lifecycle.instance import LocalInstance


def revision(tmp_path: Path, destination: str) -> Path:
    """A bundle with one file, `app/payload.txt`, copied to `destination` (no hooks)."""
    bundle = tmp_path / "bundle.zip"
    appspec = f"version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: {destination}\n"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("appspec.yml", appspec)
        archive.writestr("app/payload.txt", "released\n")
    return bundle


def install(tmp_path: Path, destination: str) -> tuple[LocalInstance, EventResult]:
    """Deploy the revision; the event that failed (the appspec is read first for BeforeInstall's hooks),
    else Install."""
    instance = LocalInstance("i-confined", tmp_path / "instance", 1)
    agent = Agent(instance)
    agent.deploy(
        Deployment("d-1", "relay", "relay-test-blue", "dg-1"),
        functools.partial(shutil.copyfile, revision(tmp_path, destination)),
    )
    failed = [event for event in agent.events if event.status == "Failed"]
    return instance, failed[0] if failed else next(event for event in agent.events if event.name == "Install")


def test_a_destination_inside_the_root_is_written(tmp_path: Path) -> None:
    instance, event = install(tmp_path, "/opt/relay")
    assert event.status == "Succeeded", event.message
    assert (instance.root / "opt/relay/payload.txt").read_text() == "released\n"


@pytest.mark.parametrize("destination", ["/opt/../../escaped", "/../escaped", "relative/dir"])
def test_a_destination_that_climbs_out_fails_the_deployment(tmp_path: Path, destination: str) -> None:
    _, event = install(tmp_path, destination)
    assert event.status == "Failed"
    assert f"destination {destination} must be an absolute path without `..`" in event.message
    assert not (tmp_path / "escaped").exists()


def test_a_symlink_out_of_the_root_fails_the_install_and_writes_nothing_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    link = tmp_path / "instance" / "opt" / "relay"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside, target_is_directory=True)
    _, event = install(tmp_path, "/opt/relay")
    assert event.status == "Failed"
    assert "files destination /opt/relay resolves outside instance/" in event.message
    assert list(outside.iterdir()) == []

"""Where the local fleet keeps instances' files: a terminated instance's root goes, as EC2 deletes a root
volume (a long-lived emulator would otherwise keep every release's virtualenv), and the run's scratch
folder is in memory when there is room."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from relay_emulator import process
from relay_emulator.codedeploy.lifecycle import fleet as fleet_module
from relay_emulator.codedeploy.lifecycle.fleet import Fleet
from tests.emulator.polling import wait_until


def test_a_terminated_instance_s_root_is_removed_after_its_grace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fleet_module, "ROOT_KEPT_SECONDS", 0.2)
    fleet = Fleet(tmp_path)
    kept, gone = fleet.instance("i-0000000000000kept"), fleet.instance("i-0000000000000gone")
    (gone.root / "opt" / "relay").mkdir(parents=True)
    # Started from the instance's files with no pid file anywhere: one stops on TERM, one ignores it.
    app = _running_from(gone.root)
    stubborn = _running_from(gone.root, "signal.signal(signal.SIGTERM, signal.SIG_IGN)")
    bystander = _running_from(kept.root)

    fleet.terminate(gone.instance_id)

    wait_until(lambda: app.poll() is not None, "the instance's app to stop on TERM")
    wait_until(lambda: not gone.root.exists(), "the terminated instance's root to be removed")
    assert stubborn.wait(timeout=5) == -signal.SIGKILL
    assert kept.root.is_dir() and [local.instance_id for local in fleet.known()] == [kept.instance_id]
    assert bystander.poll() is None  # another instance's process runs on
    bystander.kill()
    bystander.wait()


def _running_from(root: Path, setup: str = "") -> subprocess.Popen[bytes]:
    """A sleeping process whose command line names a file below `root`, once `setup` has run."""
    ready = root / f"ready-{len(list(root.glob('ready-*')))}"
    code = f"import pathlib, signal, sys, time\n{setup}\npathlib.Path(sys.argv[1]).touch()\ntime.sleep(60)"
    started = subprocess.Popen([sys.executable, "-c", code, str(ready)])
    wait_until(ready.exists, "the process to start")
    return started


def test_the_scratch_folder_is_in_memory_unless_tmpdir_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(process, "MEMORY_FOLDER_MIN_FREE", 0)
    assert process._scratch_parent() == str(process.MEMORY_FOLDER)
    monkeypatch.setattr(process, "MEMORY_FOLDER_MIN_FREE", 1 << 62)  # no memory folder has that much room
    assert process._scratch_parent() is None
    monkeypatch.setattr(process, "MEMORY_FOLDER_MIN_FREE", 0)
    monkeypatch.setenv("TMPDIR", "/var/tmp")  # the user's choice stands
    assert process._scratch_parent() is None

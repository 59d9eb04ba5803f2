"""Starting a hook's script: a script still open for writing somewhere (the archive was just unpacked) is
retried rather than failing the deployment's thread; one that cannot run fails its event."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from relay_emulator.codedeploy.lifecycle.agent import StepFailed, _start_script


def _script(folder: Path, mode: int) -> Path:
    script = folder / "start.sh"
    script.write_text("#!/bin/sh\necho started\n")
    script.chmod(mode)
    return script


def test_a_script_still_open_for_writing_starts_once_it_is_closed(tmp_path: Path) -> None:
    script = _script(tmp_path, 0o755)
    writer = script.open("a")  # what a forked process holds while the archive's files are written
    threading.Timer(0.2, writer.close).start()

    process = _start_script(script, tmp_path, {"PATH": "/usr/bin:/bin"}, "start.sh")

    assert process.communicate(timeout=10)[0] == b"started\n"


def test_a_script_that_cannot_run_fails_its_event(tmp_path: Path) -> None:
    script = _script(tmp_path, 0o644)
    with pytest.raises(StepFailed) as failed:
        _start_script(script, tmp_path, {"PATH": "/usr/bin:/bin"}, "start.sh")
    assert failed.value.error_code == "ScriptFailed" and "Permission denied" in failed.value.message

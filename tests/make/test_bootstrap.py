"""`.ci/bootstrap` as a newcomer reads it: one line per step, the installers' output in a log, its tail
on failure. Run on a copy whose npm step installs a local package.json (no network)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bootstrap_node(tmp_path: Path, dev_dependencies: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "bootstrap", tmp_path / ".ci" / "bootstrap")
    package = {"name": "bootstrap-check", "private": True, "devDependencies": dev_dependencies}
    (tmp_path / ".ci" / "package.json").write_text(json.dumps(package))
    return subprocess.run(
        [str(tmp_path / ".ci" / "bootstrap"), "node"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_step_that_works_says_so_in_one_line(tmp_path: Path) -> None:
    result = _bootstrap_node(tmp_path, {})

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert re.fullmatch(
        r"set-up: npm tools \(npm-groovy-lint\) into \.tools/node \.\.\. done in \d+s\n", result.stderr
    )
    assert (tmp_path / ".tools" / "logs" / "node.log").exists()


def test_a_step_that_fails_prints_the_tail_of_its_log(tmp_path: Path) -> None:
    result = _bootstrap_node(tmp_path, {"absent": "file:./no-such-package.tgz"})

    assert result.returncode == 1
    log = tmp_path / ".tools" / "logs" / "node.log"
    assert "ENOENT" in log.read_text()
    first, reason, *tail = result.stderr.splitlines()
    assert first.endswith("... failed")
    assert reason == (
        "set-up: 'npm install --prefix .tools/node --no-audit --no-fund' failed;"
        " the last lines of .tools/logs/node.log:"
    )
    assert any("ENOENT" in line for line in tail)

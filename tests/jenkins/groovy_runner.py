"""Runs Groovy test files in one JVM through the harness runner (tests/jenkins/harness/RunTests.groovy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "jenkins" / "harness"


def run_groovy_tests(*paths: Path) -> subprocess.CompletedProcess[str]:
    """The runner's exit code is non-zero when a test fails or none ran; output is returned, not printed.

    The pipelines' `relay config ...` lines run the real CLI, with this interpreter (relay.python).
    """
    return subprocess.run(
        [
            "groovy",
            f"-Drelay.root={ROOT}",
            f"-Drelay.python={sys.executable}",
            str(HARNESS / "RunTests.groovy"),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

"""`make test` runs on two xdist workers with `--dist loadgroup`: the tests of one `xdist_group` (the DR
emulator's, the app's PostgreSQL, the API benchmark) must share a worker, or each worker starts their
servers. Proven on a small test tree run by the installed pytest and pytest-xdist in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

GROUPED = """
    import os
    from pathlib import Path

    import pytest

    pytestmark = pytest.mark.xdist_group("together")


    @pytest.mark.parametrize("n", range(6))
    def test_grouped(n):
        worker = os.environ["PYTEST_XDIST_WORKER"]
        (Path(os.environ["GROUPED_OUT"]) / f"grouped-{n}").write_text(worker)
"""
PYTEST_ARGS = ("-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup")  # as `make test`
# Other tests, so that the scheduler has work for both workers.
LOOSE = """
    import time

    import pytest


    @pytest.mark.parametrize("n", range(6))
    def test_loose(n):
        time.sleep(0.2)
"""


def test_the_tests_of_a_group_run_on_one_worker(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "pytest.ini").write_text("[pytest]\n")
    (tree / "test_grouped.py").write_text(textwrap.dedent(GROUPED))
    (tree / "test_loose.py").write_text(textwrap.dedent(LOOSE))
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *PYTEST_ARGS],
        cwd=tree,
        env={**os.environ, "GROUPED_OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    workers = {path.read_text() for path in out.glob("grouped-*")}
    assert len(list(out.glob("grouped-*"))) == 6
    assert len(workers) == 1, f"the group's tests ran on {sorted(workers)}"

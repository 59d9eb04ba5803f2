"""tests/ci_rules.py, proven on a small test tree run by pytest in a subprocess, with and without CI=true.

Outcomes are read from the run's JUnit report: what Jenkins shows, where a leftover xfail attribute would
still turn a failure into a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest

TESTS = Path(__file__).resolve().parent
NOT_ALLOWED = "under CI=true, which is not allowed"
TREE = {
    "test_module_skip.py": """
        import pytest

        pytest.skip("the tool is missing", allow_module_level=True)

        def test_never_collected():
            pass
    """,
    "test_importorskip.py": """
        import pytest

        pytest.importorskip("relay_module_that_does_not_exist")

        def test_never_collected():
            pass
    """,
    "test_marks.py": """
        import pytest

        @pytest.mark.skip(reason="no tool here")
        def test_skip_mark():
            pass

        @pytest.mark.skipif(True, reason="not on this host")
        def test_skipif_mark():
            pass

        def test_skip_call():
            pytest.skip("skipped while running")

        @pytest.mark.xfail(reason="a known bug")
        def test_xfail_mark():
            assert False

        @pytest.mark.xfail(reason="fixed since")
        def test_xpass():
            pass

        @pytest.mark.xfail(reason="fixed, strict", strict=True)
        def test_xpass_strict():
            pass

        def test_xfail_call():
            pytest.xfail("not done yet")

        def test_runs():
            pass
    """,
}


def outcomes(tree: Path, *, ci: bool) -> dict[str, tuple[str, str]]:
    """Test (or module, when collecting it failed or skipped) -> (JUnit outcome, its message and text)."""
    report = tree / f"junit-{ci}.xml"
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "PYTEST_ADDOPTS")}
    env.update(PYTHONPATH=str(TESTS), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **({"CI": "true"} if ci else {}))
    options = ["-p", "ci_rules", "-p", "no:cacheprovider", "--continue-on-collection-errors"]
    files = [f"--rootdir={tree}", "-c", str(tree / "pytest.ini"), f"--junitxml={report}", str(tree)]
    subprocess.run(
        [sys.executable, "-m", "pytest", *options, *files],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    found: dict[str, tuple[str, str]] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        verdict = next(iter(case), None)
        if verdict is None:
            kind = "passed"
        elif verdict.tag == "skipped" and verdict.get("type") == "pytest.xfail":
            kind = "xfailed"
        else:
            kind = verdict.tag
        text = "" if verdict is None else f"{verdict.get('message', '')} {verdict.text or ''}"
        found[case.get("name", "")] = (kind, text)
    return found


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ci-rules")
    (root / "pytest.ini").write_text("[pytest]\n")
    for name, source in TREE.items():
        (root / name).write_text(textwrap.dedent(source))
    return root


def test_without_ci_skips_and_xfails_are_reported_as_such(tree: Path) -> None:
    kinds = {name: kind for name, (kind, _) in outcomes(tree, ci=False).items()}
    assert kinds == {
        "test_module_skip": "skipped",
        "test_importorskip": "skipped",
        "test_skip_mark": "skipped",
        "test_skipif_mark": "skipped",
        "test_skip_call": "skipped",
        "test_xfail_mark": "xfailed",
        "test_xpass": "passed",  # JUnit has no xpass: pytest reports a non-strict one as passed
        "test_xpass_strict": "failure",
        "test_xfail_call": "xfailed",
        "test_runs": "passed",
    }


def test_under_ci_each_fails_the_run_and_says_why(tree: Path) -> None:
    found = outcomes(tree, ci=True)
    expected = {
        "test_module_skip": ("error", "skipped at collection", "the tool is missing"),
        "test_importorskip": ("error", "skipped at collection", "could not import 'relay_module_that_does_"),
        # Marks are evaluated at set-up, where pytest reports a failure as an error.
        "test_skip_mark": ("error", "skipped", "no tool here"),
        "test_skipif_mark": ("error", "skipped", "not on this host"),
        "test_skip_call": ("failure", "skipped", "skipped while running"),
        "test_xfail_mark": ("failure", "xfailed", "a known bug"),
        "test_xpass": ("failure", "xpassed", "fixed since"),
        "test_xfail_call": ("failure", "xfailed", "not done yet"),
    }
    for name, (kind, verdict, reason) in expected.items():
        assert found[name][0] == kind, (name, found[name])
        assert f"{verdict} {NOT_ALLOWED}" in found[name][1], (name, found[name])
        assert f": {reason}" in found[name][1], (name, found[name])
    assert found["test_xpass_strict"][0] == "failure"  # pytest's own verdict, unchanged
    assert found["test_runs"] == ("passed", "")

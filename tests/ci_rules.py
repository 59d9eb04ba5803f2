"""Under CI=true a test that does not run, or is expected to fail, fails the build instead of hiding.

A skip there means a tool or a dependency is missing from the build, and an xfail is a known failure
nobody fixed: both must break the build. Covered: skips at collection (`pytest.skip(...,
allow_module_level=True)`, `pytest.importorskip` at import time), which become collection errors;
`skip`/`skipif` marks and `pytest.skip()` in a test or fixture; xfail marks and `pytest.xfail()`, whether
the test fails or passes (strict or not). Loaded by tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

UNDER_CI = os.environ.get("CI", "").lower() == "true"


def skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    """A skip's longrepr is (path, line, "Skipped: reason"): the reason is what the reader needs."""
    longrepr = report.longrepr
    return str(longrepr[2] if isinstance(longrepr, tuple) else longrepr).removeprefix("Skipped: ")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """A module or package skipped while it is collected."""
    report = yield
    if UNDER_CI and report.skipped:
        report.longrepr = f"skipped at collection under CI=true, which is not allowed: {skip_reason(report)}"
        report.outcome = "failed"
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test skipped or xfailed (or xpassed) as it runs; outermost, so it sees pytest's own xfail verdict."""
    report = yield
    if not UNDER_CI:
        return report
    if hasattr(report, "wasxfail"):
        verdict = "xpassed" if report.passed else "xfailed"
        reason = report.wasxfail
        del report.wasxfail  # else the terminal and JUnit still count it as an xfail
        report.outcome = "failed"
        report.longrepr = (
            f"{verdict} under CI=true, which is not allowed (fix the test or the code): {reason}"
        )
    elif report.skipped:
        report.longrepr = f"skipped under CI=true, which is not allowed: {skip_reason(report)}"
        report.outcome = "failed"
    return report

"""cfn-lint and checkov over every template, as `make test` runs them: zero findings, nothing skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cloudformation.cfn import CFN_DIR, REPO

CHECKOV = REPO / ".tools" / "checkov" / "bin" / "checkov"


def test_cfn_lint_finds_nothing_in_any_template() -> None:
    """One process over every template (the list lives in .cfnlintrc); a warning is a finding too."""
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    assert cfn_lint.exists(), f"{cfn_lint} is missing: run `make setup`"
    result = subprocess.run(
        [str(cfn_lint), "--format", "parseable"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"cfn-lint findings:\n{result.stdout}{result.stderr}"
    assert result.stdout.strip() == ""


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    """One offline checkov run (its own virtualenv); a missing tool fails, it never skips."""
    assert CHECKOV.exists(), f"{CHECKOV} is missing: run `make setup` (or `.ci/bootstrap checkov`)"
    result = subprocess.run(
        [
            str(CHECKOV),
            "--framework",
            "cloudformation",
            "--skip-download",
            "--output",
            "json",
            "--directory",
            str(CFN_DIR),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout.strip(), f"checkov printed no report:\n{result.stderr}"
    report: dict[str, Any] = json.loads(result.stdout)
    report["returncode"] = result.returncode
    return report


def test_checkov_fails_no_check(checkov_report: dict[str, Any]) -> None:
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}"
        for check in checkov_report["results"]["failed_checks"]
    ]
    assert failed == [], "checkov failures:\n" + "\n".join(failed)
    assert checkov_report["summary"]["passed"] > 0, "checkov checked nothing: did it find the templates?"
    assert checkov_report["returncode"] == 0


def test_every_checkov_skip_says_why(checkov_report: dict[str, Any]) -> None:
    """A skip without its reason hides a decision; the reason sits in the template's Metadata."""
    silent = [
        f"{check['check_id']} {check['resource']}"
        for check in checkov_report["results"]["skipped_checks"]
        if (check["check_result"].get("suppress_comment") or "").strip() in ("", "No comment provided")
    ]
    assert silent == []

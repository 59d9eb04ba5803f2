"""npm-groovy-lint (CodeNarc, Jenkinsfile preset) finds no error in vars/ and the Jenkinsfiles."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINTER = ROOT / ".tools" / "node" / "node_modules" / ".bin" / "npm-groovy-lint"


def test_groovy_lint_finds_no_error() -> None:
    assert LINTER.exists(), "npm-groovy-lint is missing: run `make setup` (.ci/bootstrap node)"
    files = sorted(
        str(path.relative_to(ROOT))
        for path in [
            *ROOT.glob("vars/*.groovy"),
            ROOT / "Jenkinsfile",
            *ROOT.glob("jobs/pipelines/*.Jenkinsfile"),
        ]
    )
    result = subprocess.run(
        [str(LINTER), "--noserver", "--config", "tests/jenkins/groovylint.json", "--output", "json", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    report = json.loads(result.stdout[result.stdout.index("{") :])
    errors = [
        f"{path}:{error['line']} {error['rule']}: {error['msg']}"
        for path, found in report["files"].items()
        for error in found["errors"]
        if error["severity"] == "error"
    ]
    assert errors == [], "\n".join(errors)
    assert len(report["files"]) == len(files), result.stderr

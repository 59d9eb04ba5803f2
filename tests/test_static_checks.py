"""The house style, enforced where every change is tested: ruff (lint and format) and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON_TREES = ["app", "scripts", "tests", "bench"]


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_ruff_finds_nothing() -> None:
    result = run(tool("ruff"), "check", *PYTHON_TREES)
    assert result.returncode == 0, result.stdout[-4000:]


def test_code_is_formatted() -> None:
    result = run(tool("ruff"), "format", "--check", *PYTHON_TREES)
    assert result.returncode == 0, result.stdout[-4000:]


def test_mypy_strict_is_clean() -> None:
    result = run(tool("mypy"))
    assert result.returncode == 0, result.stdout[-4000:]

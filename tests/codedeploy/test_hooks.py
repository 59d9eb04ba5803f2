"""The hooks: shellcheck clean, each bounded by the appspec, their behaviour proved by bats (hooks.bats)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CODEDEPLOY = HERE.parents[1] / "codedeploy"
HOOKS = CODEDEPLOY / "hooks"


def run_tool(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a Debian-packaged tool; a missing one fails (under CI a skip would too) and names the package."""
    assert shutil.which(tool), f"{tool} is missing: apt-get install {tool} (.ci/apt-packages.txt)"
    return subprocess.run([tool, *args], capture_output=True, text=True, check=False)


def test_shellcheck_is_clean() -> None:
    scripts = [*HOOKS.glob("*.sh"), *HERE.glob("*.bash"), *HERE.glob("*.bats")]
    result = run_tool("shellcheck", *sorted(map(str, scripts)))
    assert result.returncode == 0, result.stdout


def test_every_hook_has_a_timeout_and_runas_and_exists() -> None:
    spec = yaml.safe_load((CODEDEPLOY / "appspec.yml").read_text())
    assert spec["version"] == 0.0 and spec["os"] == "linux"
    for event, scripts in spec["hooks"].items():
        for script in scripts:
            assert script["timeout"] > 0 and script["runas"], event
            assert (CODEDEPLOY / script["location"]).stat().st_mode & 0o111, script["location"]
    assert sum(s["timeout"] for scripts in spec["hooks"].values() for s in scripts) < 3600


def test_bats_suite_passes() -> None:
    result = run_tool("bats", "--tap", str(HERE))
    assert result.returncode == 0, result.stdout + result.stderr

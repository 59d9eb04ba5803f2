"""Which of Relay's `app` modules importing some of `relay` loads (docs/adr/0032), in a fresh interpreter:
what the test process has imported already does not count."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from relay.release.bundle import REPO

PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(name for name in sys.modules if name == "app" or name.startswith("app."))))
"""


def app_modules_loaded_by(*modules: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'scripts'}{os.pathsep}{REPO}"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout)
    return loaded

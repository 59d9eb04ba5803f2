"""The release path of a service that declares only probes never imports Relay's `app` (docs/adr/0032):
the pipeline's process must not need Relay API's code or dependencies to release another service."""

from __future__ import annotations

import os
import subprocess
import sys

from relay.release.bundle import REPO

PROBE = """
import sys
import relay.commands.smoke, relay.release.orchestrate, relay.release.smoke
loaded = sorted(name for name in sys.modules if name == "app" or name.startswith("app."))
assert not loaded, loaded
import relay.release.catalog_smoke
assert "app.scopes" in sys.modules  # the probe can fail: Relay API's checks do import it
"""


def test_the_generic_release_path_imports_no_app() -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'scripts'}{os.pathsep}{REPO}"}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

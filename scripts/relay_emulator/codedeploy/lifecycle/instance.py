"""A local stand-in for an EC2 instance: a folder playing `/`, a port on 127.0.0.1, the app's settings."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

APP_PATH = "opt/relay"  # where appspec `files` put the release on EC2, below the instance's root
AGENT_PATH = "opt/codedeploy-agent/deployment-root"


@dataclass(frozen=True)
class LocalInstance:
    """One instance of the local fleet; its hooks run with RELAY_SERVICE_MANAGER=process."""

    instance_id: str
    root: Path
    port: int
    app_env: dict[str, str] = field(default_factory=dict)
    validate_seconds: int = 60

    @property
    def agent_root(self) -> Path:
        return self.root / AGENT_PATH

    @property
    def env_file(self) -> Path:
        return self.root / "etc/relay/app.env"

    def host_path(self, absolute: str) -> Path:
        """Where an absolute instance path (an appspec destination) lives on this machine."""
        return self.root / absolute.lstrip("/")

    def hook_env(self) -> dict[str, str]:
        """What the hooks read (hooks/lib.sh): the same names as on EC2, pointing into this root."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "RELAY_ROOT": str(self.root / APP_PATH),
            "RELAY_SERVICE_MANAGER": "process",
            "RELAY_APP_HOST": "127.0.0.1",
            "RELAY_APP_PORT": str(self.port),
            "RELAY_ENV_FILE": str(self.env_file),
            "RELAY_VALIDATE_SECONDS": str(self.validate_seconds),
            # The instance's system python: the interpreter under the emulator's own, called directly
            # (a `python3` found on PATH may be a version manager's shim, slower on every call).
            "RELAY_PYTHON": str(Path(sys.base_prefix) / "bin" / "python3"),
        }

    def write_env_file(self) -> None:
        """The app's settings, as user data writes /etc/relay/app.env on EC2 (it may hold secrets: 0600)."""
        self.env_file.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{key}={value}" for key, value in sorted(self.app_env.items())]
        self.env_file.write_text("\n".join(lines) + "\n")
        self.env_file.chmod(0o600)

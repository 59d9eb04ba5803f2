"""A local stand-in for an EC2 instance: a folder playing `/`, a port on 127.0.0.1, its metadata service."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_PATH = "opt/relay"  # where appspec `files` put the release on EC2, below the instance's root
AGENT_PATH = "opt/codedeploy-agent/deployment-root"
ENV_FILE = "etc/relay/app.env"  # what the launch template's user data writes (hooks/lib.sh reads it)


@dataclass(frozen=True)
class LocalInstance:
    """One instance of the local fleet; its hooks run with RELAY_SERVICE_MANAGER=process.

    It knows only what EC2 gives an instance: the files its user data wrote below `root`, its metadata
    service (`metadata_endpoint`) and, through the hooks, CodeDeploy's environment. `aws_endpoint` is
    where AWS is (the emulator), the one thing an SDK on EC2 finds without being told.
    """

    instance_id: str
    root: Path
    port: int
    validate_seconds: int = 60
    metadata_endpoint: str | None = None
    aws_endpoint: str | None = None

    @property
    def agent_root(self) -> Path:
        return self.root / AGENT_PATH

    @property
    def env_file(self) -> Path:
        return self.root / ENV_FILE

    def host_path(self, absolute: str) -> Path:
        """Where an absolute instance path (an appspec destination) lives on this machine."""
        return self.root / absolute.lstrip("/")

    def hook_env(self) -> dict[str, str]:
        """What the agent's hooks start with: where the instance's files are (paths below its root, its
        port, the process manager: hooks/lib.sh), where its metadata and AWS are; no settings of the app."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root / "root"),  # the agent runs as root; nothing of this machine's user's
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
        if self.metadata_endpoint:
            env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.metadata_endpoint
        if self.aws_endpoint:
            env["AWS_ENDPOINT_URL"] = self.aws_endpoint
        return env

"""The emulator's local fleet: one LocalInstance per EC2 instance id, each with its own root and port."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import signal
import socket
import tempfile
import threading
from pathlib import Path

from relay_emulator.codedeploy.lifecycle.instance import APP_PATH, LocalInstance
from relay_emulator.cognito.app_settings import auth_settings

HOST = "127.0.0.1"


def free_port() -> int:
    """A free port on 127.0.0.1 (bind to 0 and ask)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class Fleet:
    """Instances are created on first use and remembered in `root/<instance-id>/instance.json`."""

    def __init__(self, root: Path | None = None) -> None:
        configured = os.environ.get("RELAY_FLEET_DIR")
        self.root = root or (
            Path(configured) if configured else Path(tempfile.mkdtemp(prefix="relay-fleet-"))
        )
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._instances: dict[str, LocalInstance] = {}

    def configured(self, local: LocalInstance, region: str, slot: str) -> LocalInstance:
        """The instance with the settings user data writes on EC2; one database for every slot, as in AWS."""
        database = os.environ.get("RELAY_APP_DATABASE_URL") or f"sqlite:///{self.root / 'app.db'}"
        env = {
            "RELAY_APP_DATABASE_URL": database,
            "RELAY_APP_IMPORT_DIR": str(self.root / "imports"),
            "RELAY_APP_DRAIN_FILE": str(local.root / APP_PATH / "run" / "draining"),
            "RELAY_SLOT": slot,
            # Two cores shared by both slots: small gunicorns that drain quickly.
            "RELAY_APP_WORKERS": os.environ.get("RELAY_FLEET_WORKERS", "2"),
            "RELAY_APP_DRAIN_SECONDS": "1",
            "AWS_REGION": region,
            # An instance in the emulated cloud calls the emulated AWS, as an EC2 instance calls AWS.
            "AWS_ENDPOINT_URL": os.environ.get("RELAY_EMULATOR_ENDPOINT", ""),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        env.update(auth_settings(local.instance_id, region))
        if os.environ.get("RELAY_APP_IMPORT_BUCKET"):
            env["RELAY_APP_IMPORT_BUCKET"] = os.environ["RELAY_APP_IMPORT_BUCKET"]
        # The app starts in seconds here; a broken build should fail its ValidateService quickly.
        validate = int(os.environ.get("RELAY_FLEET_VALIDATE_SECONDS", "30"))
        return dataclasses.replace(local, app_env=env, validate_seconds=validate)

    def instance(self, instance_id: str) -> LocalInstance:
        """The local instance for an EC2 instance id (created, with a free port, on first use)."""
        with self._lock:
            if instance_id in self._instances:
                return self._instances[instance_id]
            root = self.root / instance_id
            record = root / "instance.json"
            if record.exists():
                port = int(json.loads(record.read_text())["port"])
            else:
                root.mkdir(parents=True, exist_ok=True)
                port = free_port()
                record.write_text(json.dumps({"port": port}))
            local = LocalInstance(instance_id, root, port)
            self._instances[instance_id] = local
            return local

    def known(self) -> list[LocalInstance]:
        with self._lock:
            return list(self._instances.values())

    def terminate(self, instance_id: str) -> None:
        """What terminating an EC2 instance does to its processes: the API stops (TERM: graceful drain)."""
        with self._lock:
            local = self._instances.pop(instance_id, None)
        if local is not None:
            _signal_gunicorn(local)

    def shutdown(self) -> None:
        """Stop every local API process (the emulator is going away)."""
        for local in self.known():
            _signal_gunicorn(local)


def _signal_gunicorn(local: LocalInstance) -> None:
    pid_file = local.root / APP_PATH / "run" / "gunicorn.pid"
    try:
        pid = int(pid_file.read_text().strip())
        if "gunicorn" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
            os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return


@functools.cache
def fleet() -> Fleet:
    """The emulator process's fleet, created on first use."""
    return Fleet()

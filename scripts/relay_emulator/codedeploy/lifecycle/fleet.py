"""The emulator's local fleet: one LocalInstance per EC2 instance id, each with its own root and port."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from relay_emulator.codedeploy.lifecycle.instance import LocalInstance
from relay_emulator.ec2 import user_data
from relay_emulator.ec2.imds import InstanceMetadata, MetadataService
from relay_emulator.ports import claim_port, reclaim

# A terminated instance's root (its venvs: ~85 MB a release) outlives its app's drain and the log
# shipper's last lines (logs.shipper: 30 s after termination), then goes as EC2 deletes a root volume.
ROOT_KEPT_SECONDS = 40.0


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
        self._metadata: dict[str, MetadataService] = {}

    def booted(self, instance_id: str, region: str, account: str) -> LocalInstance:
        """The instance as EC2 hands it to the agent: its user data applied at first boot, its metadata
        service (answering from its account's EC2, with its account's role credentials) running; nothing
        else is written for it."""
        local = self.instance(instance_id)
        with self._lock:
            service = self._metadata.get(instance_id)
            if service is None:
                metadata = InstanceMetadata(instance_id, region, account)
                instance = metadata.instance()
                user_data.boot(local.root, user_data.text(instance.user_data))
                if str(instance.metadata_options.http_endpoint) == "enabled":
                    service = self._metadata[instance_id] = MetadataService(metadata)
        return dataclasses.replace(
            local,
            # The hooks' deadline for the app to answer: it starts in seconds here.
            validate_seconds=int(os.environ.get("RELAY_FLEET_VALIDATE_SECONDS", "30")),
            metadata_endpoint=service.endpoint if service is not None else None,
            aws_endpoint=os.environ.get("RELAY_EMULATOR_ENDPOINT") or None,
        )

    def instance(self, instance_id: str) -> LocalInstance:
        """The local instance for an EC2 instance id (created, with a port of its own, on first use)."""
        with self._lock:
            if instance_id in self._instances:
                return self._instances[instance_id]
            root = self.root / instance_id
            record = root / "instance.json"
            if record.exists():
                port = int(json.loads(record.read_text())["port"])
                reclaim(port)
            else:
                root.mkdir(parents=True, exist_ok=True)
                port = claim_port()
                record.write_text(json.dumps({"port": port}))
            local = LocalInstance(instance_id, root, port)
            self._instances[instance_id] = local
            return local

    def known(self) -> list[LocalInstance]:
        with self._lock:
            return list(self._instances.values())

    def terminate(self, instance_id: str) -> None:
        """What terminating an EC2 instance does: the API stops (TERM: graceful drain), and its root volume
        is deleted once the app has stopped and the log shipper has sent its last lines."""
        with self._lock:
            local = self._instances.pop(instance_id, None)
            service = self._metadata.pop(instance_id, None)
        if local is not None:
            _signal(local, signal.SIGTERM)
            removal = threading.Timer(ROOT_KEPT_SECONDS, _remove_root, (local,))
            removal.daemon = True
            removal.start()
        if service is not None:
            service.stop()

    def shutdown(self) -> None:
        """Stop every local API process and metadata service (the emulator is going away)."""
        for local in self.known():
            self.terminate(local.instance_id)


def _processes(local: LocalInstance) -> list[int]:
    """Every process started from the instance's files: its command line names a path below its root (the
    app and its workers, anything a hook left running), whatever a pid file says."""
    below_root = str(local.root) + os.sep
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if below_root in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
    return found


def _signal(local: LocalInstance, signal_number: int) -> None:
    for pid in _processes(local):
        with contextlib.suppress(OSError):
            os.kill(pid, signal_number)


def _remove_root(local: LocalInstance) -> None:
    """The instance is off: what still runs is killed, and its root goes."""
    _signal(local, signal.SIGKILL)
    shutil.rmtree(local.root, ignore_errors=True)


@functools.cache
def fleet() -> Fleet:
    """The emulator process's fleet, created on first use."""
    return Fleet()

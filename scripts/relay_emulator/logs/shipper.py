"""The CloudWatch agent of every local instance: its log files, line by line, into moto's CloudWatch Logs.

On EC2 the CloudWatch agent reads the configuration the deployment installed (hooks/logs.sh renders the
bundle's cloudwatch-agent.json to <RELAY_ROOT>/run/cloudwatch-agent.json and hands it to the agent). The
emulator has no agent on its instances: this loop reads that same rendered file on each local instance
and does what the agent would with it: for each `collect_list` entry, the lines appended to `file_path`
(below the instance's root) go to `log_group_name` / `log_stream_name` (`{instance_id}` expanded) in the
configuration's region and the instance's account, through moto's Logs backend, so GetLogEvents and
FilterLogEvents see them. A missing log group or stream is created, as the agent creates them.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.ec2.models import ec2_backends
from moto.logs.models import logs_backends

from relay_emulator.codedeploy.lifecycle.fleet import fleet
from relay_emulator.codedeploy.lifecycle.instance import APP_PATH, LocalInstance

AGENT_CONFIG = (
    f"{APP_PATH}/run/cloudwatch-agent.json"  # below an instance's root, where hooks/logs.sh puts it
)
TICK_SECONDS = 0.5
# After termination an instance's app still drains and stops (10 s + 15 s graceful): the agent, stopped
# last at shutdown, ships those lines too.
TERMINATED_SHIPPING_SECONDS = 30.0


@dataclass(frozen=True)
class Collected:
    """One `collect_list` entry of an agent configuration, for one instance."""

    path: Path
    group: str
    stream: str


def collected(local: LocalInstance) -> tuple[str, list[Collected]] | None:
    """(region, what to collect) from the instance's installed agent configuration; None without one."""
    config_path = local.root / AGENT_CONFIG
    try:
        config: dict[str, Any] = json.loads(config_path.read_text())
    except (OSError, ValueError):
        return None
    region = str(config.get("agent", {}).get("region") or "")
    files = config.get("logs", {}).get("logs_collected", {}).get("files", {}).get("collect_list", [])
    entries = [
        Collected(
            local.host_path(str(entry["file_path"])),
            str(entry["log_group_name"]),
            str(entry.get("log_stream_name", "{instance_id}")).replace("{instance_id}", local.instance_id),
        )
        for entry in files
    ]
    return (region, entries) if region else None


def _account_of(instance_id: str, region: str) -> str | None:
    for account in list(ec2_backends):
        if any(instance.id == instance_id for instance in ec2_backends[account][region].all_instances()):
            return str(account)
    return None


class Shipper:
    """What each collected file has been shipped up to (bytes), so each line goes once."""

    def __init__(self) -> None:
        self._offsets: dict[Path, int] = {}

    def new_lines(self, path: Path) -> list[str]:
        """The complete lines appended to `path` since the last call (from the start when it shrank)."""
        try:
            size = path.stat().st_size
        except OSError:
            return []
        offset = self._offsets.get(path, 0)
        if size < offset:  # rotated or truncated
            offset = 0
        with path.open("rb") as stream:
            stream.seek(offset)
            data = stream.read(size - offset)
        complete = data.rfind(b"\n") + 1
        self._offsets[path] = offset + complete
        return data[:complete].decode(errors="replace").splitlines()

    def ship(self, local: LocalInstance) -> None:
        found = collected(local)
        if found is None:
            return
        region, entries = found
        account = _account_of(local.instance_id, region)
        if account is None:
            return
        logs: Any = logs_backends[account][region]
        for entry in entries:
            lines = [line for line in self.new_lines(entry.path) if line.strip()]
            if not lines:
                continue
            if entry.group not in logs.groups:
                logs.create_log_group(entry.group, {})
            if entry.stream not in logs.groups[entry.group].streams:
                logs.create_log_stream(entry.group, entry.stream)
            now = int(time.time() * 1000)
            logs.put_log_events(entry.group, entry.stream, [{"timestamp": now, "message": m} for m in lines])


def _run() -> None:
    shipper = Shipper()
    seen: dict[str, tuple[LocalInstance, float]] = {}  # instance id -> (instance, last time running)
    while True:
        now = time.monotonic()
        seen.update((local.instance_id, (local, now)) for local in fleet().known())
        for instance_id, (local, running) in list(seen.items()):
            if now - running > TERMINATED_SHIPPING_SECONDS:
                del seen[instance_id]
                continue
            try:
                shipper.ship(local)
            except Exception as error:
                print(f"logs: shipping {instance_id}'s logs failed: {error}", flush=True)
        time.sleep(TICK_SECONDS)


def install() -> None:
    """Ship the fleet's logs in the background, as each instance's CloudWatch agent would."""
    threading.Thread(target=_run, name="logs-shipper", daemon=True).start()

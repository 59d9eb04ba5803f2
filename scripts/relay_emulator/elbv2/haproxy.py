"""Run HAProxy for the frontends: a seamless reload when the topology changes, the runtime API for weights."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from relay_emulator.elbv2.model import Frontend

HOST = "127.0.0.1"
# ALB-like: 60 s idle keep-alive on the client side; health checks on /readyz as the target groups do.
TEMPLATE = """global
    stats socket {socket} mode 600 level admin expose-fd listeners
    pidfile {pidfile}
defaults
    mode http
    timeout connect 2s
    timeout client 65s
    timeout server 65s
    timeout http-keep-alive 60s
    option redispatch
    retries 2
"""


@dataclass
class HAProxy:
    """One HAProxy daemon in `workdir`; frontends keep their local ports across reloads."""

    workdir: Path
    ports: dict[str, int] = field(default_factory=dict)
    applied: tuple[tuple[str, int, tuple[tuple[str, int], ...]], ...] | None = None
    weights: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def socket_path(self) -> Path:
        return self.workdir / "haproxy.sock"

    @property
    def pid_file(self) -> Path:
        return self.workdir / "haproxy.pid"

    def render(self, fronts: list[Frontend]) -> str:
        parts = [TEMPLATE.format(socket=self.socket_path, pidfile=self.pid_file)]
        for front in fronts:
            parts.append(
                f"frontend f_{front.backend[2:]}\n    bind {HOST}:{self.ports[front.listener_arn]}\n"
                f"    default_backend {front.backend}\n"
            )
            lines = [
                f"backend {front.backend}",
                "    balance roundrobin",
                "    option httpchk GET /readyz",
                "    http-check expect status 200",
                "    default-server inter 500ms fall 2 rise 1",
            ]
            lines += [f"    server {s.name} {HOST}:{s.port} weight {s.weight} check" for s in front.servers]
            parts.append("\n".join(lines) + "\n")
        return "\n".join(parts)

    def apply(self, fronts: list[Frontend]) -> None:
        """Serve `fronts`: reload only when frontends or servers changed, else set the weights live."""
        for front in fronts:
            self.ports.setdefault(front.listener_arn, _free_port())
        topology = tuple(
            (front.backend, self.ports[front.listener_arn], tuple((s.name, s.port) for s in front.servers))
            for front in fronts
        )
        wanted = {(front.backend, s.name): s.weight for front in fronts for s in front.servers}
        if topology != self.applied or not self.running():
            self._reload(self.render(fronts))
            self.applied = topology
        else:
            for (backend, server), weight in wanted.items():
                if self.weights.get((backend, server)) != weight:
                    self.command(f"set server {backend}/{server} weight {weight}")
        self.weights = wanted

    def running(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return pid

    def _reload(self, config: str) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "haproxy.cfg"
        path.write_text(config)
        check = subprocess.run(
            ["haproxy", "-c", "-q", "-f", str(path)], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise RuntimeError(f"haproxy rejected {path}: {check.stderr.strip()}")
        argv = ["haproxy", "-D", "-f", str(path)]
        old = self.running()
        if old is not None:
            # Seamless: the new process takes the listening sockets over; the old one finishes its requests.
            argv += ["-x", str(self.socket_path), "-sf", str(old)]
        subprocess.run(argv, check=True, capture_output=True, timeout=30)
        deadline = time.monotonic() + 10
        while (self.running() in (None, old)) and time.monotonic() < deadline:
            time.sleep(0.02)

    def command(self, line: str) -> str:
        """One runtime API command over the stats socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(5)
            client.connect(str(self.socket_path))
            client.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := client.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def server_states(self) -> dict[tuple[str, str], str]:
        """(backend, server) -> UP/DOWN/MAINT..., from `show stat`."""
        if self.running() is None:
            return {}
        return {
            (row["pxname"], row["svname"]): row["status"]
            for row in self.stat_rows()
            if row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def stat_rows(self) -> list[dict[str, str]]:
        """`show stat` as one {column: value} per proxy and server (pxname, svname, hrsp_5xx, rtime...)."""
        lines = self.command("show stat").splitlines()
        if not lines or not lines[0].startswith("# "):
            return []
        columns = lines[0][2:].split(",")
        return [dict(zip(columns, line.split(","), strict=False)) for line in lines[1:] if line]

    def stop(self) -> None:
        pid = self.running()
        if pid is not None:
            os.kill(pid, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port

"""Run HAProxy for the frontends: a seamless reload when the topology changes, the runtime API for weights."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from relay_emulator.elbv2.model import Frontend, Redirect
from relay_emulator.ports import claim_port

HOST = "127.0.0.1"
STATE_PORT_FIELD = 18  # srv_port in `show servers state` (format 1)
# ALB-like: 60 s idle keep-alive on the client side; health checks on the target groups' path. A reload
# starts from the servers' states the previous process saved: an ALB keeps its targets' health when a
# listener or a target changes, where a fresh HAProxy would start every server one failed check from down.
TEMPLATE = """global
    stats socket {socket} mode 600 level admin expose-fd listeners
    pidfile {pidfile}
    server-state-file {state_file}
defaults
    load-server-state-from-file global
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
    applied: tuple[object, ...] | None = None
    weights: dict[tuple[str, str], int] = field(default_factory=dict)
    servers: set[tuple[str, str, int]] = field(default_factory=set)  # (backend, server, port) served

    @property
    def socket_path(self) -> Path:
        return self.workdir / "haproxy.sock"

    @property
    def pid_file(self) -> Path:
        return self.workdir / "haproxy.pid"

    @property
    def state_file(self) -> Path:
        return self.workdir / "server-state"

    @property
    def certificate_dir(self) -> Path:
        return self.workdir / "certs"

    def bind(self, front: Frontend) -> str:
        """The bind line: TLS terminated here on HTTPS listeners, the first certificate the default and
        the others chosen by SNI, as the ALB does; TLS 1.2 at least, as the templates' TLS13-1-2 policy."""
        line = f"bind {HOST}:{self.ports[front.listener_arn]}"
        if front.protocol != "HTTPS":
            return line
        files = " ".join(f"crt {self.certificate_dir / cert.file_name}" for cert in front.certificates)
        return f"{line} ssl {files} ssl-min-ver TLSv1.2"

    def render(self, fronts: list[Frontend]) -> str:
        parts = [TEMPLATE.format(socket=self.socket_path, pidfile=self.pid_file, state_file=self.state_file)]
        for front in fronts:
            redirect = f"    {_redirect_rule(front, front.redirect)}\n" if front.redirect else ""
            parts.append(
                f"frontend f_{front.backend[2:]}\n    {self.bind(front)}\n{redirect}"
                f"    default_backend {front.backend}\n"
            )
            lines = [
                f"backend {front.backend}",
                "    balance roundrobin",
                f"    option httpchk GET {front.health_check_path}",
                "    http-check expect status 200",
                "    default-server inter 500ms fall 2 rise 1",
                f"    timeout check {front.health_check_timeout_seconds}s",
            ]
            lines += [f"    server {s.name} {HOST}:{s.port} weight {s.weight} check" for s in front.servers]
            parts.append("\n".join(lines) + "\n")
        return "\n".join(parts)

    def _topology(self, fronts: list[Frontend]) -> tuple[object, ...]:
        """What a change of needs a reload (weights do not: they are set live)."""
        return tuple(
            (
                front.backend,
                self.ports.get(front.listener_arn),
                tuple((s.name, s.port) for s in front.servers),
                front.certificates,
                front.redirect,
                front.health_check_path,
                front.health_check_timeout_seconds,
            )
            for front in fronts
        )

    def reloads_for(self, fronts: list[Frontend]) -> bool:
        """Whether serving `fronts` restarts the running HAProxy (and with it its statistics)."""
        return self.running() is not None and self._topology(fronts) != self.applied

    def apply(self, fronts: list[Frontend]) -> None:
        """Serve `fronts`: reload only when frontends or servers changed, else set the weights live."""
        for front in fronts:
            if front.listener_arn not in self.ports:  # a claim lasts as long as the emulator
                self.ports[front.listener_arn] = claim_port()
        topology = self._topology(fronts)
        wanted = {(front.backend, s.name): s.weight for front in fronts for s in front.servers}
        if topology != self.applied or not self.running():
            self._write_certificates(fronts)
            servers = _servers(fronts)
            self._reload(self.render(fronts), servers)
            for backend, server, _port in servers - self.servers:
                # As an ALB's `initial` target: no traffic until a first check passes (rise 1).
                self.command(f"set server {backend}/{server} health down")
            self.applied, self.servers = topology, servers
        else:
            for (backend, server), weight in wanted.items():
                if self.weights.get((backend, server)) != weight:
                    self.command(f"set server {backend}/{server} weight {weight}")
        self.weights = wanted

    def _write_certificates(self, fronts: list[Frontend]) -> None:
        """One PEM (certificate, chain, key) per listener certificate, readable by this user only."""
        self.certificate_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for front in fronts:
            for cert in front.certificates:
                path = self.certificate_dir / cert.file_name
                path.touch(mode=0o600)
                path.write_text(cert.pem)

    def running(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return pid

    def _reload(self, config: str, servers: set[tuple[str, str, int]]) -> None:
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
            self.state_file.write_text(_kept_states(self.command("show servers state"), servers))
            # Seamless: the new process takes the listening sockets over; the old one finishes its requests.
            argv += ["-x", str(self.socket_path), "-sf", str(old)]
        else:
            self.state_file.unlink(missing_ok=True)
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


def _servers(fronts: list[Frontend]) -> set[tuple[str, str, int]]:
    return {(front.backend, server.name, server.port) for front in fronts for server in front.servers}


def _kept_states(saved: str, servers: set[tuple[str, str, int]]) -> str:
    """The saved server states (`show servers state`) of the servers still served on the same port: a
    state also carries its server's port, which would otherwise override the new configuration's."""
    kept = []
    for line in saved.splitlines():
        fields = line.split()
        if len(fields) > STATE_PORT_FIELD and fields[0].isdigit():
            backend, server, port = fields[1], fields[3], fields[STATE_PORT_FIELD]
            if not port.isdigit() or (backend, server, int(port)) not in servers:
                continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def _redirect_rule(front: Frontend, redirect: Redirect) -> str:
    """The ALB's redirect: the same host, path and query; the configured protocol and port (the
    listener's own for #{protocol} and #{port})."""
    scheme = (front.protocol if redirect.protocol == "#{protocol}" else redirect.protocol).lower()
    port = front.listener_port if redirect.port == "#{port}" else redirect.port
    location = f"{scheme}://%[req.hdr(host),field(1,:)]:{port}%[url]"
    return f"http-request redirect location {location} code {redirect.status_code}"

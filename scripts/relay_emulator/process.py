"""Start, find and stop the emulator process; a state file lets other commands and tests find it.

Every `relay` command imports this module, so it imports only the standard library: the server's module
(moto and every extension, seconds of imports) is loaded by the emulator's own process alone.

Everything the emulator and what it starts (the local fleet, HAProxy, the PostgreSQL servers) put in
the system's temporary folder goes into one scratch folder of the run (its TMPDIR; in /dev/shm when
there is room), which `stop` removes once the process is gone; a fleet folder the user chose
(RELAY_FLEET_DIR) loses what the run added to it. Nothing of a run outlives it but its log and its CA's
(public) certificate.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from relay_emulator.ports import claim_port

HOST = "127.0.0.1"  # the emulator listens on loopback only (see relay_emulator.local_only)
START_TIMEOUT_SECONDS = 60.0
MEMORY_FOLDER = Path("/dev/shm")  # noqa: S108 - Linux's memory-backed folder, for the scratch folder
MEMORY_FOLDER_MIN_FREE = 4 * 1024**3


def state_dir() -> Path:
    """Where the state file and the log live: $RELAY_STATE_DIR, else ~/.local/state/relay."""
    configured = os.environ.get("RELAY_STATE_DIR")
    return Path(configured) if configured else Path.home() / ".local" / "state" / "relay"


class EmulatorError(Exception):
    """The emulator cannot start, stop or be found: the message says what to do."""


@dataclass(frozen=True)
class EmulatorState:
    """What `relay emulator start` leaves behind for everyone else."""

    pid: int
    port: int
    log: str
    started_at: float
    scratch: str = ""  # the run's TMPDIR, removed by `stop`
    fleet_dir: str = ""  # $RELAY_FLEET_DIR, or the first folder of it the run creates: cleaned by `stop`
    fleet_found: list[str] | None = None  # what fleet_dir held at start; None: the run made it, all goes

    @property
    def endpoint(self) -> str:
        # `localhost`, not 127.0.0.1: packaged TemplateURLs must be readable by the emulator's S3.
        return f"http://localhost:{self.port}"


def _state_file(directory: Path) -> Path:
    return directory / "emulator.json"


def _recorded(directory: Path) -> EmulatorState | None:
    path = _state_file(directory)
    return EmulatorState(**json.loads(path.read_text())) if path.exists() else None


def read_state(directory: Path | None = None) -> EmulatorState | None:
    """The recorded emulator, or None when none was started (or its process is gone)."""
    state = _recorded(directory or state_dir())
    return state if state is not None and _alive(state.pid) else None


def health(port: int, timeout: float = 2.0) -> dict[str, Any] | None:
    """The emulator's health answer, or None when nothing answers on the port."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/relay-api/health", timeout=timeout) as response:
            answer: dict[str, Any] = json.load(response)
            return answer
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return True
    return False


def start(port: int | None = None, directory: Path | None = None) -> tuple[EmulatorState, bool]:
    """Start the emulator unless one already runs; return it and whether this call started it."""
    directory = directory or state_dir()
    running = read_state(directory)
    if running is not None and health(running.port) is not None:
        if port is not None and port != running.port:
            raise EmulatorError(
                f"the emulator already runs on port {running.port}; `relay emulator stop` first to use {port}"
            )
        return running, False
    if port is not None and _port_taken(port):
        raise EmulatorError(
            f"port {port} on {HOST} is taken; choose another --port or leave it out for a free one"
        )
    chosen = port or claim_port()
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "emulator.log"
    scratch = Path(tempfile.mkdtemp(prefix="relay-emulator-", dir=_scratch_parent()))
    scratch.chmod(0o755)  # run as root, the PostgreSQL servers run as `postgres` and must reach their folders
    chosen_fleet = os.environ.get("RELAY_FLEET_DIR")
    fleet_dir = Path(chosen_fleet).absolute() if chosen_fleet else None  # the process runs in another folder
    fleet_env = {"RELAY_FLEET_DIR": str(fleet_dir)} if fleet_dir else {}
    fleet = _fleet_folder(fleet_dir) if fleet_dir else {}  # as found before the process writes there
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "relay_emulator.server",
                "--port",
                str(chosen),
                "--state-dir",
                str(directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the shell that started it; Ctrl-C there does not kill it
            cwd=Path(__file__).resolve().parents[2],
            # its databases live in the state folder; every temporary folder in the scratch one
            env={**os.environ, "RELAY_STATE_DIR": str(directory), "TMPDIR": str(scratch), **fleet_env},
        )
    state = EmulatorState(
        pid=process.pid,
        port=chosen,
        log=str(log_path),
        started_at=time.time(),
        scratch=str(scratch),
        **fleet,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while health(chosen, timeout=1.0) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            shutil.rmtree(scratch, ignore_errors=True)
            raise EmulatorError(f"the emulator did not start on port {chosen}; see {log_path}")
        time.sleep(0.1)
    _state_file(directory).write_text(json.dumps(asdict(state)))
    return state, True


def _scratch_parent() -> str | None:
    """Where the scratch folder goes: memory (/dev/shm) when it has room and TMPDIR chooses nothing, else
    the system's temporary folder. Every release installs a virtualenv per instance there (~85 MB, thousands
    of files): on a disk that is most of an install's time."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        roomy = shutil.disk_usage(MEMORY_FOLDER).free >= MEMORY_FOLDER_MIN_FREE
    except OSError:
        return None
    return str(MEMORY_FOLDER) if roomy and os.access(MEMORY_FOLDER, os.W_OK) else None


def _fleet_folder(folder: Path) -> dict[str, Any]:
    """The fleet folder the user chose (RELAY_FLEET_DIR; unset, the fleet lives in the scratch folder),
    as found before the run writes to it."""
    if folder.is_dir():
        return {"fleet_dir": str(folder), "fleet_found": sorted(entry.name for entry in folder.iterdir())}
    while not folder.parent.exists():  # the topmost folder the fleet's mkdir(parents=True) will create
        folder = folder.parent
    return {"fleet_dir": str(folder), "fleet_found": None}


def _clean_fleet_folder(recorded: EmulatorState) -> None:
    """Remove what the run added to the fleet folder; the folder too when the run made it."""
    if not recorded.fleet_dir:
        return
    folder = Path(recorded.fleet_dir)
    if recorded.fleet_found is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for entry in folder.iterdir() if folder.is_dir() else ():
        if entry.name not in recorded.fleet_found:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def stop(directory: Path | None = None) -> EmulatorState | None:
    """Stop the recorded emulator and remove its scratch folder and what it added to the fleet folder;
    return what was stopped, or None when nothing ran."""
    directory = directory or state_dir()
    recorded = _recorded(directory)
    _state_file(directory).unlink(missing_ok=True)
    if recorded is None:
        return None
    running = _alive(recorded.pid)
    if running:
        _terminate(recorded.pid)
    if recorded.scratch:  # also when it died on its own: its leftovers go now
        shutil.rmtree(recorded.scratch, ignore_errors=True)
    _clean_fleet_folder(recorded)
    return recorded if running else None


def _terminate(pid: int) -> None:
    """SIGTERM to the process group (it stops what it started), SIGKILL after 10 s."""
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
        _reap(pid)


def _reap(pid: int) -> None:
    """Collect the exit status when we are the parent (tests), so the pid really disappears."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def require_running(directory: Path | None = None) -> EmulatorState:
    """The running emulator, or an error that says how to start one."""
    state = read_state(directory)
    if state is None or health(state.port) is None:
        raise EmulatorError("the emulator is not running; start it with `relay emulator start`")
    return state


def routes(state: EmulatorState) -> list[str]:
    """The control endpoints this emulator offers (its loaded extensions decide)."""
    answer = health(state.port) or {}
    return list(answer.get("control", []))


def control(state: EmulatorState, name: str) -> dict[str, Any]:
    """GET a control endpoint (/relay-api/<name>) of the running emulator."""
    url = f"http://{HOST}:{state.port}/relay-api/{name}"
    with urllib.request.urlopen(url, timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


def reset(state: EmulatorState) -> None:
    """Clear every resource in every region (moto's reset endpoint)."""
    request = urllib.request.Request(f"http://{HOST}:{state.port}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - fixed http URL on loopback
        pass

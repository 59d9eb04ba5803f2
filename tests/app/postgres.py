"""A throw-away PostgreSQL server for the tests, started from the Debian binaries.

PostgreSQL refuses to run as root, so as root (CI containers) the server runs as the `postgres` user
via runuser; as anyone else it runs as that user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from relay_emulator.ports import claim_port

BIN = Path(os.environ.get("RELAY_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = "postgres"
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
# The superuser logs in without a password (the suite's own connections); every other role needs its
# password, as on RDS, so tests can create a login and rotate its password.
HBA = """\
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str]) -> None:
    done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")


@contextmanager
def running_postgres() -> Iterator[str]:
    """Yield the URL of a fresh server's `postgres` database (user postgres, trust auth); stop it after."""
    if not (BIN / "pg_ctl").exists():
        raise RuntimeError(f"PostgreSQL binaries not found in {BIN}: install the `postgresql` Debian package")
    home = Path(tempfile.mkdtemp(prefix="relay-pg-"))
    data = home / "data"
    if os.geteuid() == 0:
        shutil.chown(home, SERVER_USER)
    port = claim_port()
    options = " ".join(f"-c {key}={value}" for key, value in SETTINGS.items())
    _run([str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"])
    (data / "pg_hba.conf").write_text(HBA)
    pg_ctl = str(BIN / "pg_ctl")
    _run([pg_ctl, "-D", str(data), "-l", str(home / "log"), "-w", "-o", f"-p {port} {options}", "start"])
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)

"""Ports for what the emulator serves on 127.0.0.1: its API, the instances' apps, the load balancers'
listeners and the databases.

A port is often chosen long before anything binds it (an instance's app port lives as long as the
instance and is bound anew by each release), so "free right now" is not enough:
- ports are taken below the kernel's ephemeral range, where an outgoing connection (a pooled client,
  a database session) can never sit on one and make the app's bind fail later;
- each chosen port is claimed for as long as the choosing process lives, with an abstract Unix socket
  named after it, so two emulators on one host (parallel test workers) never hand out the same port.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 20000  # below: well-known and registered services' ports
ATTEMPTS = 500

_claims: dict[int, socket.socket] = {}


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range for outgoing connections' local ports (Linux's default when unreadable)."""
    try:
        low, high = (int(part) for part in EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


def candidates() -> range:
    """Where ports are chosen: below the ephemeral range, or above it if that leaves too few."""
    low, high = ephemeral_range()
    return range(LOWEST, low) if low - LOWEST >= 1000 else range(high + 1, 65536)


def _claim(port: int) -> bool:
    """Claim `port` for this process unless another process has; True when this process holds it."""
    if port in _claims:
        return False
    marker = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        marker.bind(f"\0relay-emulator-port-{port}")
    except OSError:
        marker.close()
        return False
    _claims[port] = marker
    return True


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("0.0.0.0", port))  # noqa: S104 - a probe: is anything bound there, on any address?
        except OSError:
            return False
    return True


def claim_port() -> int:
    """A port nothing listens on and no other emulator has claimed, claimed until this process exits
    (never given back sooner: a terminated instance's app may still be draining on it)."""
    pool = candidates()
    for _ in range(ATTEMPTS):
        port = random.choice(pool)  # noqa: S311 - spreads the choices, not a secret
        if not _claim(port):
            continue
        if _bindable(port):
            return port
        _claims.pop(port).close()
    raise OSError(f"no free port in {pool.start}-{pool.stop - 1} after {ATTEMPTS} tries")


def reclaim(port: int) -> bool:
    """Claim a port chosen earlier (by an emulator that ran before this one), unless another process
    has; True when this process now holds it."""
    return _claim(port) or port in _claims


def held() -> int:
    """How many ports this process holds."""
    return len(_claims)

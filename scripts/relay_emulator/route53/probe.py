"""One Route 53 checker's probe of an endpoint, as Route 53 makes it, against the local endpoint it names.

An IP address in 127.0.0.0/8 (or localhost) is probed as it is; any other name is resolved to the local
listener that serves it, which for an emulated ALB (`*.elb.amazonaws.com`) is its HAProxy frontend for
the check's port. A name that resolves to nothing local fails, as an unresolvable endpoint does in AWS;
so does one whose name carries a region made unreachable by the fault injector. HTTPS probes do not
validate the certificate, as Route 53's checkers do not.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from typing import Any

from relay_emulator.elbv2.proxy import local_address
from relay_emulator.faults import FAULTS

PROBE_TIMEOUT_SECONDS = 2.0  # Route 53 waits 4 s for a connection and 2 s for the response
BODY_SEARCH_BYTES = 5120  # Route 53 looks for SearchString in the first 5,120 bytes


@dataclass(frozen=True)
class Probe:
    """What one probe saw: passed or not, and the status text Route 53 reports for it."""

    passed: bool
    text: str


def _is_local(host: str) -> bool:
    return host == "localhost" or host.startswith("127.")


def _address(host: str, port: int) -> tuple[str, int] | None:
    if _is_local(host):
        return host, port
    return local_address(host, port)


def _https_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def probe(check: Any) -> Probe:
    """Probe the endpoint `check` (moto's HealthCheck) names, once."""
    host = str(check.ip_address or check.fqdn or "")
    kind = str(check.type_ or "HTTP")
    port = int(check.port or (443 if kind.startswith("HTTPS") else 80))
    if any(region in host for region in FAULTS.now.unreachable_regions):
        return Probe(False, f"Failure: Connection timed out. The endpoint {host} did not respond")
    address = _address(host, port)
    if address is None:
        return Probe(False, f"Failure: DNS resolution failed: {host}:{port} resolves to no endpoint")
    try:
        if kind == "TCP":
            with socket.create_connection(address, timeout=PROBE_TIMEOUT_SECONDS):
                return Probe(True, "Success: TCP connection established")
        return _http(check, kind, host, address)
    except OSError as error:
        return Probe(False, f"Failure: Connection to {host}:{port} failed: {error}")


def _http(check: Any, kind: str, host: str, address: tuple[str, int]) -> Probe:
    """GET the check's ResourcePath: a 2xx or 3xx passes, with the search string for *_STR_MATCH."""
    if kind.startswith("HTTPS"):
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            *address, timeout=PROBE_TIMEOUT_SECONDS, context=_https_context()
        )
    else:
        connection = http.client.HTTPConnection(*address, timeout=PROBE_TIMEOUT_SECONDS)
    try:
        connection.request("GET", check.resource_path or "/", headers={"Host": host})
        response = connection.getresponse()
        body = response.read(BODY_SEARCH_BYTES).decode(errors="replace")
    finally:
        connection.close()
    if not 200 <= response.status < 400:
        return Probe(False, f"Failure: HTTP Status Code {response.status}, {response.reason}")
    if kind.endswith("STR_MATCH") and (check.search_string or "") not in body:
        return Probe(False, "Failure: Search string not found in the response body")
    return Probe(True, f"Success: HTTP Status Code {response.status}, {response.reason}")

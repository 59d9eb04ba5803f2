"""Route 53 GetHealthCheckStatus that tells the truth about local endpoints.

moto answers Success for every health check. Here a disabled check is healthy; an injected
`health_check_status` (relay_emulator.faults) decides next; a check of a local endpoint (127.0.0.0/8 or
localhost) really probes it (HTTP/HTTPS GET of its ResourcePath, string match, or TCP connect), as
Route 53's checkers do; any other endpoint fails when its name carries an unreachable region (e.g. an
ALB's *.us-east-1.elb.amazonaws.com during an injected outage), else succeeds. Inverted checks flip,
as documented.
"""

from __future__ import annotations

import http.client
import socket
from datetime import UTC, datetime
from typing import Any

from relay_emulator.faults import FAULTS

PROBE_TIMEOUT_SECONDS = 2.0
CHECKER_REGIONS = ("us-east-1", "us-west-1", "eu-west-1")


def _is_local(host: str) -> bool:
    return host == "localhost" or host.startswith("127.")


def _probe(check: Any, host: str) -> tuple[bool, str]:
    """One checker's observation of a local endpoint: (healthy, AWS-style status text)."""
    kind = str(check.type_ or "HTTP")
    port = int(check.port or (443 if kind.startswith("HTTPS") else 80))
    try:
        if kind == "TCP":
            with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS):
                return True, "Success: TCP connection established"
        connection_class = (
            http.client.HTTPSConnection if kind.startswith("HTTPS") else http.client.HTTPConnection
        )
        connection = connection_class(host, port, timeout=PROBE_TIMEOUT_SECONDS)
        try:
            connection.request("GET", check.resource_path or "/")
            response = connection.getresponse()
            body = response.read(5120).decode(errors="replace")
        finally:
            connection.close()
    except OSError as error:
        return False, f"Failure: Connection to {host}:{port} failed: {error}"
    status = response.status
    if not 200 <= status < 400:
        return False, f"Failure: HTTP Status Code {status}, {response.reason}"
    if kind.endswith("STR_MATCH") and (check.search_string or "") not in body:
        return False, "Failure: Search string not found in the response body"
    return True, f"Success: HTTP Status Code {status}, {response.reason}"


def observe(check: Any) -> tuple[bool, str]:
    """Whether the check is healthy now, and the status text its checkers report."""
    host = str(check.ip_address or check.fqdn or "")
    faults = FAULTS.now
    if check.disabled:
        healthy, text = True, "Success: health check is disabled, Route 53 considers it healthy"
    elif check.id in faults.health_check_status:
        healthy = faults.health_check_status[check.id] == "Success"
        text = f"{faults.health_check_status[check.id]}: status set by relay-api/faults"
    elif _is_local(host):
        healthy, text = _probe(check, host)
    elif any(region in host for region in faults.unreachable_regions):
        healthy, text = False, f"Failure: Connection timed out. The endpoint {host} did not respond"
    else:
        healthy, text = True, "Success: HTTP Status Code 200, OK"
    if check.inverted and not check.disabled:
        healthy = not healthy
        text = ("Success" if healthy else "Failure") + ": inverted; " + text
    return healthy, text


def _get_health_check_status(self: Any) -> Any:
    from moto.core.responses import ActionResult  # noqa: PLC0415

    check = self.backend.get_health_check(self._get_param("HealthCheckId"))
    _, text = observe(check)
    now = datetime.now(UTC)
    observations = [
        {"Region": region, "IPAddress": "127.0.0.1", "StatusReport": {"Status": text, "CheckedTime": now}}
        for region in CHECKER_REGIONS
    ]
    return ActionResult({"HealthCheckObservations": observations})


def install() -> None:
    from moto.route53.responses import Route53  # noqa: PLC0415

    Route53.get_health_check_status = _get_health_check_status

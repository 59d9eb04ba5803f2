"""Route 53 health checks (relay_emulator.route53.health), through boto3: a local endpoint is probed."""

from __future__ import annotations

import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from relay.aws import AwsFactory

pytestmark = pytest.mark.xdist_group("dr")
_NUMBERS = itertools.count(1)


class _Endpoint(BaseHTTPRequestHandler):
    """A local endpoint to probe: /health answers 200, any other path 404."""

    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        return


def _serve() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_health_check_status_probes_a_local_endpoint(aws_dr: AwsFactory) -> None:
    route53 = aws_dr.client("route53")
    server = _serve()
    port = server.server_address[1]

    def status(path: str, **extra: Any) -> str:
        check = route53.create_health_check(
            CallerReference=f"health-{next(_NUMBERS)}",
            HealthCheckConfig={
                "IPAddress": "127.0.0.1",
                "Port": port,
                "Type": "HTTP",
                "ResourcePath": path,
                **extra,
            },
        )["HealthCheck"]["Id"]
        observations = route53.get_health_check_status(HealthCheckId=check)["HealthCheckObservations"]
        return str(observations[0]["StatusReport"]["Status"])

    try:
        assert status("/health").startswith("Success: HTTP Status Code 200")
        assert status("/missing").startswith("Failure: HTTP Status Code 404")
        assert status("/missing", Inverted=True).startswith("Success")
    finally:
        server.shutdown()
        server.server_close()
    assert status("/health").startswith("Failure: Connection")

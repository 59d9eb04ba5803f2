"""Route 53 health checks (relay_emulator.route53.health), through boto3: the endpoint a check names is
probed, and its status changes only after FailureThreshold probes, RequestInterval apart."""

from __future__ import annotations

import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control

pytestmark = pytest.mark.xdist_group("dr")
_NUMBERS = itertools.count(1)
TIME_SCALE = 10.0  # a 10 s RequestInterval passes in 1 s


class _Endpoint(BaseHTTPRequestHandler):
    """A local endpoint to probe: /health answers 200, any other path 404."""

    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        return


def _serve(port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _create(route53: Any, **config: Any) -> str:
    check: str = route53.create_health_check(
        CallerReference=f"health-{next(_NUMBERS)}", HealthCheckConfig={"Type": "HTTP", **config}
    )["HealthCheck"]["Id"]
    return check


def _status(route53: Any, check: str) -> str:
    observations = route53.get_health_check_status(HealthCheckId=check)["HealthCheckObservations"]
    return str(observations[0]["StatusReport"]["Status"])


@pytest.fixture
def scaled(dr_emulator: EmulatorState) -> Any:
    control(dr_emulator.port, "/relay-api/faults", {"time_scale": TIME_SCALE})
    yield
    control(dr_emulator.port, "/relay-api/faults", method="DELETE")


def test_a_new_check_answers_its_first_probe_with_a_threshold_of_one(aws_dr: AwsFactory) -> None:
    route53 = aws_dr.client("route53")
    server = _serve()
    port = server.server_address[1]
    local = {"IPAddress": "127.0.0.1", "Port": port, "FailureThreshold": 1}
    try:
        assert _status(route53, _create(route53, ResourcePath="/health", **local)).startswith(
            "Success: HTTP Status Code 200"
        )
        assert _status(route53, _create(route53, ResourcePath="/missing", **local)).startswith(
            "Failure: HTTP Status Code 404"
        )
        inverted = _create(route53, ResourcePath="/missing", Inverted=True, **local)
        assert _status(route53, inverted).startswith("Success")
    finally:
        server.shutdown()
        server.server_close()
    stopped = _create(route53, ResourcePath="/health", **local)
    assert _status(route53, stopped).startswith("Failure: Connection")


def test_a_name_that_resolves_to_nothing_local_fails(aws_dr: AwsFactory) -> None:
    route53 = aws_dr.client("route53")
    check = _create(
        route53,
        FullyQualifiedDomainName="nowhere-1.us-east-1.elb.amazonaws.com",
        Port=80,
        ResourcePath="/readyz",
        FailureThreshold=1,
    )
    assert _status(route53, check).startswith("Failure: DNS resolution failed")


def _wait_for(route53: Any, check: str, prefix: str, timeout: float) -> float:
    """Seconds until the check's status starts with `prefix` (fails after `timeout`)."""
    start = time.monotonic()
    while not (status := _status(route53, check)).startswith(prefix):
        assert time.monotonic() - start < timeout, f"still {status!r} after {timeout}s"
        time.sleep(0.05)
    return time.monotonic() - start


def test_status_changes_after_failure_threshold_intervals_and_back(aws_dr: AwsFactory, scaled: Any) -> None:
    route53 = aws_dr.client("route53")
    server = _serve()
    port = server.server_address[1]
    interval, threshold = 10 / TIME_SCALE, 3
    check = _create(
        route53,
        IPAddress="127.0.0.1",
        Port=port,
        ResourcePath="/health",
        RequestInterval=10,
        FailureThreshold=threshold,
    )
    assert _status(route53, check).startswith("Success")
    server.shutdown()
    server.server_close()
    stopped = time.monotonic()
    # The first failed probe comes within one interval, the threshold's last one two intervals later.
    time.sleep(interval * (threshold - 1) - 0.3)
    assert _status(route53, check).startswith("Success")
    deadline = stopped + interval * threshold + 0.5
    _wait_for(route53, check, "Failure: Connection", deadline - time.monotonic())
    server = _serve(port)
    try:
        _wait_for(route53, check, "Success: HTTP Status Code 200", interval * (threshold + 1))
    finally:
        server.shutdown()
        server.server_close()

"""The DR world's app: what its CodeDeploy revision starts on each instance of the live slots.

It answers the probes any service has (relay.yaml's `/healthz`, `/readyz`, `/version`) and declares no
write checks (`app.smoke: probes` in the world's config): DR's tests are about DR, and Relay's API with
its writes is released for real in test_real_stacks.py. Standard library only: the revision runs it with
the instance's system Python. On an instance it reads its region from the instance metadata service and
exits once that service is gone (the instance was terminated), as an instance's processes would.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RELEASE_ID = "0123abcd"
PATHS = ("/health", "/healthz", "/readyz", "/version")


def handler_for(region: str) -> type[BaseHTTPRequestHandler]:
    class Probes(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path not in PATHS:
                self.send_error(404)
                return
            body = json.dumps({"status": "ok", "release_id": RELEASE_ID, "region": region}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return

    return Probes


class QuietServer(ThreadingHTTPServer):
    """A health checker that hangs up mid-answer is no error (nor worth a traceback in a test's output)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(region: str, port: int) -> QuietServer:
    server = QuietServer(("127.0.0.1", port), handler_for(region))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _metadata(endpoint: str, path: str) -> str:
    """IMDSv2: a session token, then the value."""
    token_request = urllib.request.Request(
        f"{endpoint}/latest/api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    )
    with urllib.request.urlopen(token_request, timeout=2) as response:
        token = response.read().decode()
    request = urllib.request.Request(f"{endpoint}/latest/{path}", headers={"X-aws-ec2-metadata-token": token})
    with urllib.request.urlopen(request, timeout=2) as response:
        return str(response.read().decode())


def run_on_instance(port: int) -> None:
    endpoint = os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"].rstrip("/")
    server = serve(_metadata(endpoint, "meta-data/placement/region"), port)
    while True:
        time.sleep(2)
        try:
            _metadata(endpoint, "meta-data/instance-id")
        except (urllib.error.URLError, OSError):
            server.shutdown()
            return


if __name__ == "__main__":
    run_on_instance(int(sys.argv[1]))

"""Benchmark: `relay drift --all` against a sequential one-stack-at-a-time scan, in the same run.

Setup: an emulator of our own, 25 root stacks with one nested child each in each of two regions
(100 stacks), and a latency proxy in front of the emulator that holds every API call for 100 ms, as a
real network and AWS's API would. The baseline is the same scanner with one stack at a time and one
region after the other (`--concurrency 1`, regions in turn). Prints JSON; target ratio >= 10.

Run: .venv/bin/python bench/drift_bench.py
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "drift"))

from drift_helpers import deploy  # noqa: E402 - the tests' deploy helper, so both build the same stacks

from relay.aws import AwsFactory  # noqa: E402
from relay_emulator import process  # noqa: E402

REGIONS = ("us-east-1", "us-west-2")
ROOTS_PER_REGION = 25  # each with one nested child: 100 stacks in all
LATENCY_SECONDS = 0.1
CONCURRENCY = 16


def latency_proxy(upstream_port: int) -> ThreadingHTTPServer:
    """A loopback proxy that adds LATENCY_SECONDS to every call before passing it to the emulator."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(LATENCY_SECONDS)
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
            headers = {key: value for key, value in self.headers.items() if key.lower() != "connection"}
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            upstream.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def relay_drift(endpoint: str, *args: str) -> tuple[float, dict[str, Any]]:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "relay", "--output", "json", "drift", "--all", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 2):
        raise SystemExit(f"relay drift failed ({result.returncode}): {result.stderr}")
    return elapsed, json.loads(result.stdout)


def dropped(report: dict[str, Any]) -> int:
    """Resources not checked for any reason but an unsupported type, plus stacks not finished."""
    stacks = [stack for root in report["roots"] for stack in root["stacks"]]
    resources = [resource for stack in stacks for resource in stack["resources"]]
    unsupported = sum(r["status"] == "NOT_CHECKED" and "not supported" in r["reason"] for r in resources)
    return report["summary"]["resources_not_checked"] - unsupported + report["summary"]["stacks_not_checked"]


def main() -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1"
    )
    with tempfile.TemporaryDirectory() as workdir:
        state, _ = process.start(directory=Path(workdir) / "state")
        try:
            aws = AwsFactory(endpoint_url=state.endpoint)
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(
                    pool.map(
                        lambda i: deploy(aws, Path(workdir), REGIONS[i % 2]), range(2 * ROOTS_PER_REGION)
                    )
                )
            proxy = latency_proxy(state.port)
            endpoint = f"http://127.0.0.1:{proxy.server_address[1]}"
            baseline_seconds, baseline_reports = 0.0, []
            for region in REGIONS:
                seconds, report = relay_drift(endpoint, "--region", region, "--concurrency", "1")
                baseline_seconds += seconds
                baseline_reports.append(report)
            parallel_seconds, parallel = relay_drift(
                endpoint,
                *[arg for region in REGIONS for arg in ("--region", region)],
                "--concurrency",
                str(CONCURRENCY),
            )
            proxy.shutdown()
        finally:
            process.stop(Path(workdir) / "state")
    print(
        json.dumps(
            {
                "stacks": parallel["summary"]["stacks"],
                "root_stacks": parallel["summary"]["roots"],
                "regions": list(REGIONS),
                "latency_ms_per_call": LATENCY_SECONDS * 1000,
                "concurrency_per_region": CONCURRENCY,
                "parallel_seconds": round(parallel_seconds, 2),
                "sequential_seconds": round(baseline_seconds, 2),
                "ratio": round(baseline_seconds / parallel_seconds, 1),
                "resources_checked": parallel["summary"]["resources_checked"],
                "resources_checked_sequential": sum(
                    r["summary"]["resources_checked"] for r in baseline_reports
                ),
                "dropped": dropped(parallel),
                "dropped_sequential": sum(dropped(r) for r in baseline_reports),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

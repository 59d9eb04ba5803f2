"""gunicorn settings for the API behind an ALB: `gunicorn -c app/gunicorn.conf.py 'app:create_app()'`.

Every number can be overridden from the environment (RELAY_APP_*), so the deploy hooks, the demo and
the benchmark run this same file.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Any


def _number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


# All interfaces by default: the instance sits behind the ALB's security group.
bind = os.environ.get("RELAY_APP_BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"
workers = int(_number("RELAY_APP_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# gthread, not the sync worker: the sync worker ignores keep-alive, and the ALB reuses connections.
worker_class = "gthread"
# One request thread per worker (docs/adr/0015): a request's database round trip and log write release
# the GIL, and with more threads each release hands the GIL to another thread, which cost 30-40% more
# CPU per GET here. Raise it for deployments whose requests mostly wait (long uploads, slow services).
threads = int(_number("RELAY_APP_THREADS", 1))
# Above the ALB's 60 s idle timeout: the ALB, not gunicorn, must close idle connections (else 502s).
keepalive = 75
timeout = int(_number("RELAY_APP_TIMEOUT", 30))
# Draining (below) plus this stays under systemd's TimeoutStopSec, itself at most the target group's
# deregistration delay (10 + 15 < 30 <= 30; tests/cloudformation/test_shutdown_budget.py ties them).
graceful_timeout = int(_number("RELAY_APP_GRACEFUL_TIMEOUT", 15))
# Load the app once in the master and fork the workers from it: a recycled worker (below) starts in
# milliseconds instead of importing everything again (about a second of CPU, which showed as latency
# spikes under load), and a broken configuration stops the master at once instead of crash-looping
# workers. New code or settings therefore need a restart (the deploy hooks restart), not a HUP.
preload_app = True
# Recycle workers now and then (leaks), with jitter so they do not all restart at once. Rarely: a
# recycled worker drops its database connections and its clients' kept-alive connections, and even
# forked from the preloaded app it copies the pages it touches; every 5,000 requests (the old value,
# a few seconds per worker under load) showed as p99 spikes (docs/adr/0016).
max_requests = int(_number("RELAY_APP_MAX_REQUESTS", 50000))
max_requests_jitter = int(_number("RELAY_APP_MAX_REQUESTS_JITTER", 5000))
# No control socket (gunicorn 25.1+, for `gunicornc`): Relay does not use it, its default path is one
# per user (every instance on an emulated host would share it), and it runs an event-loop thread in the
# master that each worker fork stops and restarts, which slowed and could hang startup under load.
control_socket_disable = True
accesslog = None  # the app writes one JSON line per request
errorlog = "-"
# With an error log file (the hooks' daemon), the app's stderr (its JSON lines) goes there too: that file
# is what the CloudWatch agent ships (codedeploy/cloudwatch-agent.json).
capture_output = True
# After SIGTERM, keep serving while /readyz answers 503, so the ALB stops routing here first.
drain_seconds = _number("RELAY_APP_DRAIN_SECONDS", 10.0)
# Workers are forked from this process, so they inherit the path and /readyz finds the flag.
drain_file = os.environ.setdefault(
    "RELAY_APP_DRAIN_FILE", str(Path(tempfile.gettempdir()) / f"relay-app-{os.getpid()}.draining")
)


def on_starting(server: Any) -> None:
    Path(drain_file).unlink(missing_ok=True)


def when_ready(server: Any) -> None:
    """Make SIGTERM drain first: flag /readyz as 503, wait drain_seconds, then gunicorn's graceful stop."""
    graceful_stop = server.handle_term

    def drain_then_stop() -> None:
        Path(drain_file).touch()
        server.log.info("SIGTERM: /readyz now answers 503; serving %.1f s more, then stopping", drain_seconds)
        time.sleep(drain_seconds)
        graceful_stop()

    server.handle_term = drain_then_stop


def on_exit(server: Any) -> None:
    Path(drain_file).unlink(missing_ok=True)

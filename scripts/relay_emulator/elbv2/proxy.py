"""The emulated ALB carries real traffic: HAProxy on 127.0.0.1 follows listeners, weights and targets.

HTTPS listeners terminate TLS with their ACM certificates (signed by the run's local CA when requested
from the emulator). Every change to a listener, its certificates, a rule or a target (and a short poll
for instance launches, terminations and health) reconciles HAProxy: new weights through its runtime API
at once, new frontends, servers or certificates by a seamless reload. Target health answers from
HAProxy's own checks of the target groups' health check path. `/relay-api/traffic` tells where each
listener serves locally.
"""

from __future__ import annotations

import atexit
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from moto.acm.models import AWS_ROOT_CA, CertificateNotFound, acm_backends
from moto.ec2.models import ec2_backends
from moto.elbv2 import models as elbv2_models
from moto.elbv2.models import elbv2_backends
from werkzeug.wrappers import Request

from relay_emulator.codedeploy.lifecycle.fleet import fleet
from relay_emulator.control import route
from relay_emulator.elbv2.haproxy import HOST, HAProxy
from relay_emulator.elbv2.model import CHECK_TIMEOUT_SECONDS, Frontend, frontends

POLL_SECONDS = 0.5
_LOCK = threading.RLock()
# Set at shutdown, under _LOCK: the poll must not start HAProxy again while the emulator stops (a
# daemonised HAProxy would outlive it, serving from a folder `relay emulator stop` removed).
_STOPPING = threading.Event()
_PROXY = HAProxy(Path(tempfile.mkdtemp(prefix="relay-haproxy-")))
_FRONTS: list[Frontend] = []
_STATES: dict[tuple[str, str], str] = {}
# Called, under _LOCK, before a reload restarts HAProxy's counters: the metrics publisher registers
# here, so the responses since its last tick are counted (an ALB's target group metrics do not reset).
BEFORE_RELOAD: list[Callable[[], None]] = []


def _running_instances() -> dict[str, bool]:
    """Instance id -> running?, over every account and region."""
    found: dict[str, bool] = {}
    for regions in list(ec2_backends.values()):
        for backend in list(regions.values()):
            for reservation in list(backend.reservations.values()):
                for instance in reservation.instances:
                    found[instance.id] = instance.state == "running"
    return found


def _certificate_pem(arn: str) -> str | None:
    """An ACM certificate as HAProxy loads it (certificate, chain, key), or None when it is gone. moto
    appends a stand-in Amazon root to every chain; the ALB sends no root, so neither does HAProxy."""
    _, _, _, region, account, _ = arn.split(":", 5)
    try:
        bundle = acm_backends[account][region].get_certificate(arn)
    except CertificateNotFound:
        return None
    chain = bundle.chain.replace(AWS_ROOT_CA, b"")
    return (
        b"\n".join(part.strip() for part in (bundle.cert, chain, bundle.key) if part.strip()).decode() + "\n"
    )


def reconcile() -> None:
    """Bring HAProxy and the local fleet in line with the emulated ELBv2 and EC2 state."""
    global _FRONTS, _STATES  # noqa: PLW0603 - the extension's single state, guarded by _LOCK
    with _LOCK:
        if _STOPPING.is_set():
            return
        running = _running_instances()
        for local in fleet().known():
            if not running.get(local.instance_id, False):
                fleet().terminate(local.instance_id)
        listeners: list[tuple[Any, str]] = []
        groups: dict[str, Any] = {}
        for regions in list(elbv2_backends.values()):
            for backend in list(regions.values()):
                groups.update(backend.target_groups)
                for balancer in list(backend.load_balancers.values()):
                    listeners += [
                        (listener, balancer.dns_name)
                        for listener in list(balancer.listeners.values())
                        if listener.protocol in ("HTTP", "HTTPS")
                    ]

        def port_of(instance_id: str) -> int | None:
            return fleet().instance(instance_id).port if running.get(instance_id) else None

        fronts = frontends(listeners, groups, port_of, _certificate_pem)
        if _PROXY.reloads_for(fronts):
            for flush in BEFORE_RELOAD:
                flush()  # still reads the old frontends and the running HAProxy
        _FRONTS = fronts
        if _FRONTS or _PROXY.running():
            _PROXY.apply(_FRONTS)
            _STATES = _PROXY.server_states()


def _after(method_name: str) -> None:
    original = getattr(elbv2_models.ELBv2Backend, method_name)

    def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        reconcile()  # before the API call returns: a caller that changed weights sees them applied
        return result

    setattr(elbv2_models.ELBv2Backend, method_name, patched)


def _health_for(original: Any) -> Any:
    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        status = original(self, target, ec2_backend)
        if status.status != "healthy":
            return status
        states = [state for (_, server), state in _STATES.items() if server == f"{self.name}__{target['Id']}"]
        if not all(state.startswith("UP") for state in states):  # down behind any listener
            return elbv2_models.FakeHealthStatus(
                target["Id"],
                status.port,
                self.health_check_port,
                "unhealthy",
                "Target.FailedHealthChecks",
                "Health checks failed",
            )
        return status

    return health_for


def _aws_check_timeout(original: Any) -> Any:
    """moto gives a target group without HealthCheckTimeoutSeconds 10 s; ELBv2 gives an instance group 5."""

    def init(self: Any, *args: Any, healthcheck_timeout_seconds: int | None = None, **kwargs: Any) -> None:
        timeout = healthcheck_timeout_seconds or CHECK_TIMEOUT_SECONDS
        original(self, *args, healthcheck_timeout_seconds=timeout, **kwargs)

    return init


def _poll() -> None:
    stop = threading.Event()
    while not stop.wait(POLL_SECONDS):
        try:
            reconcile()
        except Exception as error:
            print(f"traffic: reconcile failed: {error}", flush=True)


def _shutdown(*_args: Any) -> None:
    with _LOCK:  # after a reconcile in flight, and before any other
        _STOPPING.set()
        _PROXY.stop()
    fleet().shutdown()


def local_address(dns_name: str, port: int) -> tuple[str, int] | None:
    """Where a client of the ALB named `dns_name` on `port` is served locally; None when nothing is."""
    wanted = dns_name.lower().rstrip(".")
    with _LOCK:
        for front in _FRONTS:
            local = _PROXY.ports.get(front.listener_arn)
            if front.dns_name.lower() == wanted and front.listener_port == port and local is not None:
                return HOST, local
    return None


@contextmanager
def backend_stats() -> Iterator[tuple[list[Frontend], list[dict[str, str]]]]:
    """The frontends HAProxy serves and its `show stat` rows, read together so the two agree; no
    reload happens until the block ends, so counters read from them are turned into increments once."""
    with _LOCK:
        yield list(_FRONTS), (_PROXY.stat_rows() if _PROXY.running() else [])


@route("traffic")
def _traffic(_request: Request) -> dict[str, Any]:
    with _LOCK:
        listeners = [
            {
                "listener_arn": f.listener_arn,
                "dns_name": f.dns_name,
                "port": f.listener_port,
                "local": f"127.0.0.1:{_PROXY.ports.get(f.listener_arn)}",
                "servers": [
                    {
                        "name": s.name,
                        "port": s.port,
                        "weight": s.weight,
                        "state": _STATES.get((f.backend, s.name), ""),
                    }
                    for s in f.servers
                ],
            }
            for f in _FRONTS
        ]
    connect_to = ",".join(f"{item['dns_name']}:{item['port']}={item['local']}" for item in listeners)
    return {"listeners": listeners, "connect_to": connect_to, "fleet": str(fleet().root)}


def install() -> None:
    """Patch ELBv2 to reconcile after every change; poll for instances and health; stop HAProxy at exit."""
    for name in (
        "create_listener",
        "modify_listener",
        "add_listener_certificates",
        "remove_listener_certificates",
        "delete_listener",
        "modify_rule",
        "create_rule",
        "register_targets",
        "deregister_targets",
    ):
        _after(name)
    elbv2_models.FakeTargetGroup.health_for = _health_for(elbv2_models.FakeTargetGroup.health_for)
    elbv2_models.FakeTargetGroup.__init__ = _aws_check_timeout(elbv2_models.FakeTargetGroup.__init__)
    threading.Thread(target=_poll, name="traffic-reconcile", daemon=True).start()
    atexit.register(_shutdown)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: Any) -> None:
        _shutdown()
        if callable(previous):
            previous(signum, frame)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)

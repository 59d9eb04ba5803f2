"""Smoke-test a slot through a listener with what any service has (relay.yaml's `app` paths): ready,
running the expected release, healthy; then the write checks the service declares (`app.smoke`).

Relay's API declares `relay-catalog` (catalog_smoke.py): a product created and read back, authenticated
as a client's would be, or in a standby region a read-only replica's checks. A service declaring only
`probes` needs no token and writes nothing; `relay` then never imports Relay's `app` (docs/adr/0032).
"""

from __future__ import annotations

from types import ModuleType

from relay.aws import AwsFactory
from relay.contract import RootStack
from relay.errors import RelayError
from relay.release.http import Endpoint
from relay.service.load import current
from relay.service.model import SMOKE_RELAY_CATALOG, App
from relay.waiting import wait_for


def _catalog_checks() -> ModuleType:
    """Relay API's checks, imported only for the service that declares them: they import Relay's `app`."""
    from relay.release import catalog_smoke  # noqa: PLC0415 - imports `app`, only when declared

    return catalog_smoke


def smoke_token(aws: AwsFactory, stack: RootStack) -> str | None:
    """A token for the declared write checks (the stack's pipeline client's), None when there are none."""
    if current().app.smoke != SMOKE_RELAY_CATALOG:
        return None
    token: str = _catalog_checks().smoke_token(aws, stack)
    return token


def wait_ready(endpoint: Endpoint, deadline_seconds: float, path: str) -> object:
    """`path` (the readiness path) answers 200 before the deadline (the target group health check needs a
    moment); its answer."""

    def ready() -> tuple[bool, object]:
        try:
            status, answer = endpoint.request("GET", path, timeout=2)
        except OSError as error:
            return False, error
        return status == 200, answer

    return wait_for(
        ready,
        what=f"the smoke test's {path} on {endpoint.url} to answer 200",
        timeout=deadline_seconds,
        first=0.1,
        cap=0.5,
    )


def probes(
    endpoint: Endpoint, release_id: str | None, app: App, deadline_seconds: float
) -> tuple[list[str], object]:
    """Readiness, version (naming `release_id` when given) and health: what passed, the readiness answer."""
    readiness = wait_ready(endpoint, deadline_seconds, app.readiness_path)
    passed = [f"{app.readiness_path} answers 200"]
    status, version = endpoint.request("GET", app.version_path)
    if status != 200 or not isinstance(version, dict):
        raise RelayError(f"smoke: {app.version_path} answered {status}: {version}")
    if release_id and version.get("release_id") != release_id:
        raise RelayError(
            f"smoke: {app.version_path} says release {version.get('release_id')!r}, expected {release_id!r}"
        )
    passed.append(f"{app.version_path} is release {version.get('release_id')}")
    if app.health_path != app.readiness_path:
        status, health = endpoint.request("GET", app.health_path)
        if status != 200:
            raise RelayError(f"smoke: {app.health_path} answered {status}: {health}")
        passed.append(f"{app.health_path} answers 200")
    return passed, readiness


def smoke(
    endpoint: Endpoint,
    release_id: str | None,
    *,
    token: str | None,
    writable: bool = True,
    deadline_seconds: float = 60,
) -> list[str]:
    """Run the probes, then the declared write checks (writing with `token` when the region's database is
    `writable`); return what passed, raise RelayError on the first failure."""
    app = current().app
    passed, readiness = probes(endpoint, release_id, app, deadline_seconds)
    if app.smoke != SMOKE_RELAY_CATALOG:
        return passed
    checks = _catalog_checks()
    if not writable:
        return [*passed, *checks.read_only_checks(endpoint, readiness)]
    if token is None:
        raise RelayError("smoke: the catalog checks write, and no token was given for them")
    return [*passed, checks.round_trip(endpoint, token)]

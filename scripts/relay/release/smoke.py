"""Smoke-test a slot through a listener: ready, running the expected release, and a create-and-read works."""

from __future__ import annotations

import uuid

from relay.errors import RelayError
from relay.release.http import Endpoint
from relay.waiting import wait_for


def wait_ready(endpoint: Endpoint, deadline_seconds: float) -> None:
    """/readyz answers 200 before the deadline (the target group health check needs a moment)."""

    def ready() -> tuple[bool, object]:
        try:
            status, answer = endpoint.request("GET", "/readyz", timeout=2)
        except OSError as error:
            return False, error
        return status == 200, answer

    wait_for(
        ready,
        what=f"the smoke test's /readyz on {endpoint.url} to answer 200",
        timeout=deadline_seconds,
        first=0.1,
        cap=0.5,
    )


def smoke(endpoint: Endpoint, release_id: str | None, deadline_seconds: float = 60) -> list[str]:
    """Run the checks; return what passed, raise RelayError on the first failure."""
    passed = []
    wait_ready(endpoint, deadline_seconds)
    passed.append("/readyz answers 200")
    status, version = endpoint.request("GET", "/version")
    if status != 200 or not isinstance(version, dict):
        raise RelayError(f"smoke: /version answered {status}: {version}")
    if release_id and version.get("release_id") != release_id:
        raise RelayError(
            f"smoke: /version says release {version.get('release_id')!r}, expected {release_id!r}"
        )
    passed.append(f"/version is release {version.get('release_id')}")
    sku = f"smoke-{uuid.uuid4().hex[:12]}"
    product = {"sku": sku, "name": "smoke test", "price_cents": 1, "stock": 0}
    status, created = endpoint.request("POST", "/products", product)
    if status != 201 or not isinstance(created, dict):
        raise RelayError(f"smoke: creating a product answered {status}: {created}")
    status, read = endpoint.request("GET", f"/products/{created['id']}")
    if status != 200 or not isinstance(read, dict) or read.get("sku") != sku:
        raise RelayError(f"smoke: reading product {created['id']} back answered {status}: {read}")
    passed.append("create-and-read round trip")
    return passed

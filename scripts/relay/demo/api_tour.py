"""Exercise a running API the way a client would: a product, an order, a CSV import, with a token.

The token is the pipeline client's, granting `SCOPES` (what the tour writes); a write without one is
tried first and must be refused, so the tour shows the API enforcing authentication.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

from app.scopes import CATALOG_WRITE, IMPORTS_WRITE, ORDERS_WRITE
from relay.errors import RelayError
from relay.waiting import wait_for

SCOPES = (CATALOG_WRITE, ORDERS_WRITE, IMPORTS_WRITE)


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One HTTP request; JSON answers decoded. Errors come back as (status, problem) instead of raising."""
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the demo's own API on loopback
        f"{base_url}{path}",
        data=data,
        method=method,
        headers={"Content-Type": content_type, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the demo's own API on loopback
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_ready(base_url: str, seconds: float = 30) -> None:
    """Poll /readyz until it answers 200, or fail naming the URL."""

    def ready() -> tuple[bool, object]:
        try:
            status, answer = call(base_url, "GET", "/readyz")
        except OSError as error:  # URLError too: the server is not listening yet
            return False, error
        return status == 200, answer

    wait_for(ready, what=f"the API at {base_url} to be ready", timeout=seconds, first=0.1, cap=0.5)


def tour(base_url: str, token: str) -> dict[str, Any]:
    """Show a write without a token refused; then, with `token`, create a product, order two of it and
    import a CSV. Return what a reader would want to see."""
    sku = f"DEMO-{uuid.uuid4().hex[:8].upper()}"
    mug = {"sku": sku, "name": "Relay mug", "description": "Blue/green", "price_cents": 1250, "stock": 5}
    status, refused = call(base_url, "POST", "/products", body=mug)
    if status != 401:
        raise RelayError(f"POST /products without a token answered {status}, not 401: {refused}")
    bearer = {"Authorization": f"Bearer {token}"}
    status, product = call(base_url, "POST", "/products", body=mug, headers=bearer)
    if status != 201:
        raise RelayError(f"POST /products answered {status}: {product}")
    status, order = call(
        base_url,
        "POST",
        "/orders",
        body={"lines": [{"product_id": product["id"], "quantity": 2}]},
        headers={**bearer, "Idempotency-Key": f"demo-{sku}"},
    )
    if status != 201:
        raise RelayError(f"POST /orders answered {status}: {order}")
    csv_text = (
        "sku,name,description,price_cents,stock\n"
        + "\n".join(f"{sku}-{n},Sticker {n},Imported,{100 + n},{10 * n}" for n in range(1, 4))
        + "\n"
    )
    status, report = call(
        base_url, "POST", "/imports", body=csv_text, content_type="text/csv", headers=bearer
    )
    if status != 201:
        raise RelayError(f"POST /imports answered {status}: {report}")
    _, version = call(base_url, "GET", "/version")
    return {
        "refused_without_token": refused,
        "product": product,
        "order": order,
        "import": report,
        "version": version,
    }

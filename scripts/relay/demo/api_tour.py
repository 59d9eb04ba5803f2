"""Exercise a running API the way a client would: a product, an order, a CSV import, with a token.

The token is the pipeline client's, granting `SCOPES` (what the tour writes); a write without one is
tried first and must be refused, so the tour shows the API enforcing authentication.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.scopes import CATALOG_WRITE, IMPORTS_WRITE, ORDERS_WRITE
from relay.errors import RelayError
from relay.release.http import Endpoint
from relay.waiting import wait_for

SCOPES = (CATALOG_WRITE, ORDERS_WRITE, IMPORTS_WRITE)


def wait_ready(endpoint: Endpoint, seconds: float = 30) -> None:
    """Poll /readyz until it answers 200, or fail naming the URL."""

    def ready() -> tuple[bool, object]:
        try:
            status, answer = endpoint.request("GET", "/readyz")
        except OSError as error:  # the listener is not serving yet
            return False, error
        return status == 200, answer

    wait_for(ready, what=f"the API at {endpoint.url} to be ready", timeout=seconds, first=0.1, cap=0.5)


def tour(endpoint: Endpoint, token: str) -> dict[str, Any]:
    """Show a write without a token refused; then, with `token`, create a product, order two of it and
    import a CSV. Return what a reader would want to see."""
    sku = f"DEMO-{uuid.uuid4().hex[:8].upper()}"
    mug = {"sku": sku, "name": "Relay mug", "description": "Blue/green", "price_cents": 1250, "stock": 5}
    status, refused = endpoint.request("POST", "/products", mug)
    if status != 401:
        raise RelayError(f"POST /products without a token answered {status}, not 401: {refused}")
    status, product = endpoint.request("POST", "/products", mug, token=token)
    if status != 201:
        raise RelayError(f"POST /products answered {status}: {product}")
    status, order = endpoint.request(
        "POST",
        "/orders",
        {"lines": [{"product_id": product["id"], "quantity": 2}]},
        headers={"Idempotency-Key": f"demo-{sku}"},
        token=token,
    )
    if status != 201:
        raise RelayError(f"POST /orders answered {status}: {order}")
    csv_text = (
        "sku,name,description,price_cents,stock\n"
        + "\n".join(f"{sku}-{n},Sticker {n},Imported,{100 + n},{10 * n}" for n in range(1, 4))
        + "\n"
    )
    status, report = endpoint.request("POST", "/imports", csv_text, content_type="text/csv", token=token)
    if status != 201:
        raise RelayError(f"POST /imports answered {status}: {report}")
    _, version = endpoint.request("GET", "/version")
    return {
        "refused_without_token": refused,
        "product": product,
        "order": order,
        "import": report,
        "version": version,
    }

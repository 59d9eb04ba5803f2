"""Exercise a running API the way a client would, through its load balancer: a product, an order, a CSV
import."""

from __future__ import annotations

import uuid
from typing import Any

from relay.errors import RelayError
from relay.release.http import Endpoint
from relay.waiting import wait_for


def wait_ready(endpoint: Endpoint, seconds: float = 30) -> None:
    """Poll /readyz until it answers 200, or fail naming the URL."""

    def ready() -> tuple[bool, object]:
        try:
            status, answer = endpoint.request("GET", "/readyz")
        except OSError as error:  # the listener is not serving yet
            return False, error
        return status == 200, answer

    wait_for(ready, what=f"the API at {endpoint.url} to be ready", timeout=seconds, first=0.1, cap=0.5)


def tour(endpoint: Endpoint) -> dict[str, Any]:
    """Create a product, order two of it, import a CSV; return what a reader would want to see."""
    sku = f"DEMO-{uuid.uuid4().hex[:8].upper()}"
    status, product = endpoint.request(
        "POST",
        "/products",
        {"sku": sku, "name": "Relay mug", "description": "Blue/green", "price_cents": 1250, "stock": 5},
    )
    if status != 201:
        raise RelayError(f"POST /products answered {status}: {product}")
    status, order = endpoint.request(
        "POST",
        "/orders",
        {"lines": [{"product_id": product["id"], "quantity": 2}]},
        headers={"Idempotency-Key": f"demo-{sku}"},
    )
    if status != 201:
        raise RelayError(f"POST /orders answered {status}: {order}")
    csv_text = (
        "sku,name,description,price_cents,stock\n"
        + "\n".join(f"{sku}-{n},Sticker {n},Imported,{100 + n},{10 * n}" for n in range(1, 4))
        + "\n"
    )
    status, report = endpoint.request("POST", "/imports", csv_text, content_type="text/csv")
    if status != 201:
        raise RelayError(f"POST /imports answered {status}: {report}")
    _, version = endpoint.request("GET", "/version")
    return {"product": product, "order": order, "import": report, "version": version}

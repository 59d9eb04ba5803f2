"""Relay API's own smoke checks (relay.yaml `app.smoke: relay-catalog`): a product created and read back,
or in a standby region, whose database is a read-only replica until promoted, no write: the readiness
answer must say it cannot write, and a read must find what the primary wrote (its smoke tests' products).

The write is authenticated as a client's would be: with a token of the pipeline's app client granting
only the scope it needs (`SCOPES`, relay.tokens), so the smoke test proves the app enforces and accepts
the region's tokens.
"""

from __future__ import annotations

import uuid

from app.scopes import CATALOG_WRITE
from relay.aws import AwsFactory
from relay.contract import RootStack
from relay.errors import RelayError
from relay.release.http import Endpoint
from relay.tokens import pipeline_token

SCOPES = (CATALOG_WRITE,)  # what the checks below need: one product created


def smoke_token(aws: AwsFactory, stack: RootStack) -> str:
    """A token of the stack's pipeline client for the smoke test's writes."""
    return pipeline_token(aws, stack, SCOPES)


def round_trip(endpoint: Endpoint, token: str) -> str:
    """A product created with `token` reads back."""
    sku = f"smoke-{uuid.uuid4().hex[:12]}"
    product = {"sku": sku, "name": "smoke test", "price_cents": 1, "stock": 0}
    status, created = endpoint.request("POST", "/products", product, token=token)
    if status != 201 or not isinstance(created, dict):
        raise RelayError(f"smoke: creating a product answered {status}: {created}")
    status, read = endpoint.request("GET", f"/products/{created['id']}")
    if status != 200 or not isinstance(read, dict) or read.get("sku") != sku:
        raise RelayError(f"smoke: reading product {created['id']} back answered {status}: {read}")
    return "create-and-read round trip"


def read_only_checks(endpoint: Endpoint, readiness: object) -> list[str]:
    """A standby writes nothing: its /readyz says it cannot, and it reads what the primary wrote."""
    if not isinstance(readiness, dict) or readiness.get("writable") is not False:
        raise RelayError(
            f"smoke: a standby's /readyz must say writable false (a read-only replica): {readiness}"
        )
    status, page = endpoint.request("GET", "/products?limit=1")
    if status != 200 or not isinstance(page, dict):
        raise RelayError(f"smoke: listing products (read-only region) answered {status}: {page}")
    if not page.get("items"):
        raise RelayError(
            "smoke: the standby's database holds none of the products the primary's releases wrote: "
            "is the replica replicating from the primary?"
        )
    sku = page["items"][0].get("sku")
    return ["/readyz says writable false", f"product {sku} written on the primary reads back"]

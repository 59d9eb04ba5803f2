"""The OAuth scopes of the API, named once: routes require them, /openapi.json and docs/api.md list them.

Cognito names a resource server's scopes `<identifier>/<name>`; the API's resource server is `relay`.
Catalogue reads need no scope (docs/api.md says why); order reads do.
"""

from __future__ import annotations

CATALOG_WRITE = "relay/catalog.write"
ORDERS_WRITE = "relay/orders.write"
ORDERS_READ = "relay/orders.read"
IMPORTS_WRITE = "relay/imports.write"

DESCRIPTIONS = {
    CATALOG_WRITE: "Create, change and delete products.",
    ORDERS_WRITE: "Place and cancel orders.",
    ORDERS_READ: "Read orders (they are business records, not public data).",
    IMPORTS_WRITE: "Import products from CSV.",
}

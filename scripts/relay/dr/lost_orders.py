"""The RPO in orders, counted at promotion: what a run records, and whether the service declares a count.

A service whose relay.yaml declares no lost-data count (`app.lost_data`) gets "not counted" with that
reason; `relay-orders` is Relay API's orders, counted by relay_orders.py, imported only then (it imports
Relay's `app`). Unknown is never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from relay.dr.context import DrContext, StepSkipped
from relay.service.load import current
from relay.service.model import LOST_RELAY_ORDERS

FACT = "orders_lost"


@dataclass(frozen=True)
class LostOrders:
    """How many orders were lost (None: unknown) and how that was found, or why it could not be."""

    count: int | None
    detail: str
    missing_ids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "detail": self.detail, "missing_ids": list(self.missing_ids)}


def recorded(facts: dict[str, Any]) -> LostOrders | None:
    """What a run recorded in its journal's facts; None before the count ran."""
    fact = facts.get(FACT)
    if not fact:
        return None
    return LostOrders(fact["count"], fact["detail"], tuple(fact.get("missing_ids", ())))


def _relay_orders() -> ModuleType:
    """Relay API's count, imported only for the service that declares it: it imports Relay's `app`."""
    from relay.dr import relay_orders  # noqa: PLC0415 - imports `app`, only when declared

    return relay_orders


def undeclared() -> LostOrders | None:
    """Unknown, with the reason, for a service whose relay.yaml declares no lost-data count; else None."""
    config = current()
    if config.app.lost_data == LOST_RELAY_ORDERS:
        return None
    return LostOrders(
        None,
        f"not counted: {config.service} declares no lost-data count ({config.shown_as}: app.lost_data)",
    )


def count_intent(ctx: DrContext) -> str:
    skipped = undeclared()
    if skipped:
        return skipped.detail
    return (
        f"count the orders on {ctx.source_region}'s fenced writer that {ctx.target_region}'s promoted "
        "writer lacks (read-only, with each region's app settings and secret)"
    )


def count_lost_orders(ctx: DrContext) -> str:
    """Record the RPO in orders in the journal; skipped (unknown, never 0) when it cannot be counted or
    the service declares no count."""
    lost = undeclared() or _relay_orders().measure(ctx)
    ctx.journal.facts[FACT] = lost.to_json()
    if lost.count is None:
        raise StepSkipped(lost.detail)
    return lost.detail

"""The RPO in orders: the orders the old primary holds that the promoted writer lacks, counted at promotion.

Read as an operator's machine reaches the databases on AWS: each region's app settings (DATABASE_HOST,
PORT, NAME and SECRET_ARN under AppConfigParameterPath in SSM), the login in the secret they name, and
a connection from where the DR job runs (inside the VPC, or a network peered with it), read-only. An
order is matched by id and creation time, so an order the new writer takes under an id the old one had
used is not mistaken for a kept one. When either database cannot be read the count is unknown, with the
reason: never 0. A service whose relay.yaml declares no lost-data count (`app.lost_data`) gets "not
counted" with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import Connection, bindparam, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.aws_config import (
    DATABASE_PARAMETERS,
    AppConfigError,
    database_url,
    read_credentials,
    read_parameters,
)
from relay.dr.context import DrContext, StepSkipped
from relay.service.load import current
from relay.service.model import LOST_RELAY_ORDERS

FACT = "orders_lost"
# An order older than the lag at fence plus this margin was replayed long before the promotion: only
# newer ones are compared, so the count reads minutes of orders, not the whole table.
MARGIN = timedelta(hours=1)
CONNECT_TIMEOUT_SECONDS = 10
MISSING_IDS_KEPT = 50  # in the journal, for reconciling from the old writer's final snapshot


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


def _app_database_url(ctx: DrContext, region: str, path: str) -> str:
    """The URL the region's app connects with: its SSM settings and the login of the secret they name."""
    settings = read_parameters(ctx.client("ssm", region), path)
    missing = [name for name in DATABASE_PARAMETERS if not settings.get(name)]
    if missing:
        raise AppConfigError(f"{region}'s app settings under {path} lack {', '.join(missing)}")
    secret_arn = settings["DATABASE_SECRET_ARN"]
    arn = secret_arn.split(":")
    if len(arn) < 7 or arn[2] != "secretsmanager":
        raise AppConfigError(f"{path}DATABASE_SECRET_ARN in {region} is not a Secrets Manager ARN")
    secrets = ctx.client("secretsmanager", arn[3])  # a standby's app reads its primary's secret
    return database_url(settings, *read_credentials(secrets, secret_arn))


@contextmanager
def _read_only(url: str) -> Iterator[Connection]:
    engine = create_engine(
        url,
        poolclass=NullPool,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": "relay-dr",
            "options": "-c default_transaction_read_only=on",
        },
    )
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _recent_orders(connection: Connection, lag_seconds: float | None) -> set[tuple[int, datetime]]:
    """The old primary's orders that replication may not have carried: every one when the lag is unknown."""
    if lag_seconds is None:
        rows = connection.execute(text("SELECT id, created_at FROM orders"))
    else:
        window = timedelta(seconds=lag_seconds) + MARGIN
        query = text("SELECT id, created_at FROM orders WHERE created_at >= now() - :window")
        rows = connection.execute(query, {"window": window})
    return {(int(row.id), row.created_at) for row in rows}


def _present(connection: Connection, orders: set[tuple[int, datetime]]) -> set[tuple[int, datetime]]:
    """Which of `orders` the promoted writer holds (same id, same creation time)."""
    if not orders:
        return set()
    query = text("SELECT id, created_at FROM orders WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    rows = connection.execute(query, {"ids": sorted(order_id for order_id, _ in orders)})
    return {(int(row.id), row.created_at) for row in rows} & orders


def measure(ctx: DrContext) -> LostOrders:
    """Compare the fenced old primary with the promoted writer; unknown (with why) when either is unread."""
    if ctx.source is None:
        return LostOrders(None, f"unknown: the old primary cannot be read ({ctx.source_reason})")
    lag = ctx.journal.facts.get("lag_at_fence_seconds")
    try:
        old_url = _app_database_url(ctx, ctx.source_region, ctx.source.app_config_path)
        new_url = _app_database_url(ctx, ctx.target_region, ctx.target.app_config_path)
        with _read_only(old_url) as old:
            written = _recent_orders(old, None if lag is None else float(lag))
        with _read_only(new_url) as new:
            kept = _present(new, written)
    except (AppConfigError, BotoCoreError, ClientError, SQLAlchemyError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return LostOrders(None, f"unknown: {type(error).__name__}: {reason}")
    missing = sorted(order_id for order_id, _ in written - kept)
    scope = "all" if lag is None else f"the {len(written)} recent"
    return LostOrders(
        len(missing),
        f"{len(missing)} of {scope} orders on {ctx.source_region}'s writer are missing on "
        f"{ctx.target_region}'s (compared by id and creation time)",
        tuple(missing[:MISSING_IDS_KEPT]),
    )


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
    lost = undeclared() or measure(ctx)
    ctx.journal.facts[FACT] = lost.to_json()
    if lost.count is None:
        raise StepSkipped(lost.detail)
    return lost.detail

"""Relay API's orders counted at promotion: the ones the fenced old primary holds that the promoted writer
lacks, read as an operator's machine reaches the databases on AWS. Imported only for a service that
declares `lost_data: relay-orders` (lost_orders.py): it imports Relay's `app` (docs/adr/0032).

Each region's app settings (DATABASE_HOST, PORT, NAME and SECRET_ARN under AppConfigParameterPath in SSM),
the login in the secret they name, and a connection from where the DR job runs (inside the VPC, or a
network peered with it), read-only. An order is matched by id and creation time, so an order the new
writer takes under an id the old one had used is not mistaken for a kept one. When either database
cannot be read the count is unknown, with the reason: never 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

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
from relay.dr.context import DrContext
from relay.dr.lost_orders import LostOrders

# An order older than the lag at fence plus this margin was replayed long before the promotion: only
# newer ones are compared, so the count reads minutes of orders, not the whole table.
MARGIN = timedelta(hours=1)
CONNECT_TIMEOUT_SECONDS = 10
MISSING_IDS_KEPT = 50  # in the journal, for reconciling from the old writer's final snapshot


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

"""Write views run in one transaction; a POST with an Idempotency-Key stores its first answer in it.

A key is the caller's own (the token's subject, app/auth.py): the same key from two callers is two
requests, and one caller never sees another's answer.

The key row is inserted in the same transaction as the order (or product, or import) it answers for,
so either both are committed or neither: a retry finds the stored answer and replays it, and two
concurrent requests with one key cannot both create (the second waits on the key's unique index,
then replays the first's answer).

Keys expire after `idempotency_retention_hours` (24 by default, as payment APIs do): an expired key is
as good as new, and each stored key deletes up to PURGE_BATCH expired ones in its transaction, so the
table stays bounded without a scheduled job (rows another transaction holds are skipped, not awaited).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, make_response, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, and_, delete, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import auth, db
from app.config import Settings
from app.errors import ApiError
from app.models import IdempotencyKey, utcnow

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])
HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
PURGE_BATCH = 100


def write_transaction(view: View) -> View:
    """Commit the view's work when it answers 2xx/3xx, roll it back otherwise (errors, 4xx)."""

    @wraps(view)
    def wrapper(**path: Any) -> ResponseReturnValue:
        key = request.headers.get(HEADER) if request.method == "POST" else None
        if key is None:
            return _run_once(view, path)
        _check_key(key)
        caller = auth.caller().id
        fingerprint = _fingerprint()
        stored = _lookup(caller, key)
        if stored is not None:
            return _replay(stored, fingerprint)
        try:
            return _run_once(view, path, key=(caller, key), fingerprint=fingerprint)
        except IntegrityError:
            stored = _lookup(caller, key)
            if stored is None:
                raise
            return _replay(stored, fingerprint)

    return wrapper  # type: ignore[return-value]


def _run_once(
    view: Callable[..., ResponseReturnValue],
    path: dict[str, Any],
    *,
    key: tuple[str, str] | None = None,
    fingerprint: str = "",
) -> Response:
    """Run the view in the request's transaction; `key` is the (caller, Idempotency-Key) to store."""
    with db.unit_of_work() as session:
        response = make_response(view(**path))
        if response.status_code >= 400:
            session.rollback()
            return response
        if key is not None:
            _purge_expired(session, key)
            session.add(
                IdempotencyKey(
                    caller=key[0],
                    key=key[1],
                    fingerprint=fingerprint,
                    status_code=response.status_code,
                    location=response.headers.get("Location"),
                    body=response.get_data(),
                )
            )
            session.flush()
    return response


def _expiry() -> datetime:
    """Keys created before this moment have expired."""
    settings: Settings = current_app.config["RELAY_SETTINGS"]
    return utcnow() - timedelta(hours=settings.idempotency_retention_hours)


def _purge_expired(session: Session, key: tuple[str, str]) -> None:
    """Delete this caller's key if it expired (it is being reused) and a batch of the oldest expired keys."""
    expired = IdempotencyKey.created_at < _expiry()
    identity = tuple_(IdempotencyKey.caller, IdempotencyKey.key)
    oldest = (
        select(IdempotencyKey.caller, IdempotencyKey.key)
        .where(expired)
        .order_by(IdempotencyKey.created_at)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    this_key = and_(IdempotencyKey.caller == key[0], IdempotencyKey.key == key[1])
    purge = delete(IdempotencyKey).where(expired, or_(this_key, identity.in_(oldest)))
    session.execute(purge.execution_options(synchronize_session=False))


def _check_key(key: str) -> None:
    if not (1 <= len(key) <= 255 and key.isascii() and key.isprintable()):
        raise ApiError(400, "Bad Request", f"{HEADER} must be 1 to 255 printable ASCII characters.")


def _fingerprint() -> str:
    """What makes two requests 'the same': method, path and body bytes."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def _lookup(caller: str, key: str) -> IdempotencyKey | None:
    def query(connection: Connection) -> IdempotencyKey | None:
        live = select(IdempotencyKey.__table__).where(
            IdempotencyKey.caller == caller, IdempotencyKey.key == key, IdempotencyKey.created_at >= _expiry()
        )
        row = connection.execute(live).first()
        return IdempotencyKey(**row._mapping) if row is not None else None

    # On the primary: a replica may not have the first request's commit yet.
    return db.database().read_primary(query)


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise ApiError(
            422,
            "Idempotency key reused",
            f"This {HEADER} was first used with a different request; use a new key for a new request.",
        )
    response = Response(stored.body, status=stored.status_code, mimetype="application/json")
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers[REPLAYED_HEADER] = "true"
    return response

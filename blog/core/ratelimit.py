"""Rate limits kept in the database, so every server process counts the same hits."""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import Select, and_, bindparam, delete, func, insert, or_, select

from blog.core.models import utcnow
from blog.core.records import RateLimitHit
from blog.extensions import db


def private_key(value: str) -> str:
    """A stable, non-reversible name for `value` (an address, a browser id), keyed with the secret.

    Buckets are stored in the database: they must not give away who acted.
    """
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """A stable, non-reversible name for the client's address."""
    return private_key(request.remote_addr or "unknown")


def retry_after(bucket: str, limit: int, window: int, now: datetime | None = None) -> int | None:
    """Seconds until `bucket` may act again, or None when it is under `limit` per `window` s.

    Call inside a write transaction (`write_transaction`), with `record` after the action,
    so that the check and the record cannot interleave with another process.
    """
    return retry_afters([(bucket, limit, window)], now)[0]


def retry_afters(
    limits: Sequence[tuple[str, int, int]], now: datetime | None = None
) -> list[int | None]:
    """`retry_after` for each (bucket, limit, window), asked in one statement.

    A comment is checked against three limits at once (its form's one use, its browser, its
    address): one round of the index instead of three.
    """
    now = now or utcnow()
    since = {bucket: now - timedelta(seconds=window) for bucket, _, window in limits}
    values: dict[str, Any] = {}
    for number, (bucket, start) in enumerate(since.items()):
        values.update({f"bucket_{number}": bucket, f"since_{number}": start})
    rows = db.session.execute(_hits_since(len(since)), values).all()
    found = {bucket: (count, oldest) for bucket, count, oldest in rows}
    waits: list[int | None] = []
    for bucket, limit, _ in limits:
        count, oldest = found.get(bucket, (0, None))
        if count < limit or oldest is None:
            waits.append(None)
        else:
            waits.append(max(1, math.ceil((oldest - since[bucket]).total_seconds())))
    return waits


@functools.cache
def _hits_since(buckets: int) -> Select[str, int, datetime]:
    """How often, and since when, each of `buckets` buckets acted since its own start.

    Built once for each number of buckets, as core.posts explains: the buckets and their starts
    are parameters (bucket_0, since_0, ...).
    """
    return (
        select(RateLimitHit.bucket, func.count(), func.min(RateLimitHit.created_at))
        .where(
            or_(
                *(
                    and_(
                        RateLimitHit.bucket == bindparam(f"bucket_{number}"),
                        RateLimitHit.created_at > bindparam(f"since_{number}"),
                    )
                    for number in range(buckets)
                )
            )
        )
        .group_by(RateLimitHit.bucket)
    )


def recent(bucket: str, window: int, now: datetime | None = None) -> tuple[int, datetime | None]:
    """How many times `bucket` acted in the last `window` seconds, and when it last did."""
    now = now or utcnow()
    count, latest = db.session.execute(
        select(func.count(RateLimitHit.id), func.max(RateLimitHit.created_at)).where(
            RateLimitHit.bucket == bucket,
            RateLimitHit.created_at > now - timedelta(seconds=window),
        )
    ).one()
    return int(count or 0), latest


def forget(bucket: str) -> None:
    """Drop every hit of `bucket` (a success that wipes the slate clean)."""
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.bucket == bucket))


# How often one server process clears a kind's hits too old to matter. Checks ignore old hits
# anyway, and `flask maintain` clears them daily: this only keeps the table small between runs,
# so it need not cost a DELETE on every posted comment.
PRUNE_EVERY_SECONDS = 60.0
_pruned_at: dict[str, float] = {}


def _prune_now_and_then(bucket: str, window: int, now: datetime) -> None:
    """Forget the hits of `bucket`'s kind too old to matter, once a minute per process."""
    kind = bucket.split(":", 1)[0] + ":"
    if time.monotonic() - _pruned_at.get(kind, -PRUNE_EVERY_SECONDS) < PRUNE_EVERY_SECONDS:
        return
    _pruned_at[kind] = time.monotonic()
    db.session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.bucket.startswith(kind, autoescape=True),
            RateLimitHit.created_at < now - timedelta(seconds=window),
        )
    )


_RECORD = insert(RateLimitHit)


def record(bucket: str, window: int, now: datetime | None = None) -> None:
    """Count one action for `bucket` (see `record_all`)."""
    record_all([(bucket, window)], now)


def record_all(hits: Sequence[tuple[str, int]], now: datetime | None = None) -> None:
    """Count one action for each (bucket, window), in one statement.

    Now and then each kind's hits too old to matter are forgotten. Buckets are named
    "kind:client", and one kind has one window. The rows are inserted without the ORM's
    bookkeeping: no page shows them, and nothing reads them back here.
    """
    if not hits:
        return
    now = now or utcnow()
    for bucket, window in hits:
        _prune_now_and_then(bucket, window, now)
    db.session.execute(_RECORD, [{"bucket": bucket, "created_at": now} for bucket, _ in hits])

"""Idempotency records: the first response to an API POST sent with an ``Idempotency-Key``, kept per
user and key so a retry gets that response instead of a second change.

A record is claimed in its own short transaction before the request runs (a unique constraint on user
and key makes a simultaneous second claim fail), filled with the response when the request finished,
and dropped when it failed with a 5xx so a retry can run again. A claim left unfilled for
:data:`IN_FLIGHT_LIMIT` (its process died) may be taken over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from msinfusion.db.database import Database
from msinfusion.db.models import Base

IN_FLIGHT_LIMIT = timedelta(minutes=2)
"""A claim without a response after this long belongs to a request that died; a retry may take it over."""


class IdempotencyRecord(Base):
    """One user's key: the request's fingerprint and, once it finished, the response to replay."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Claim:
    """What a key means for this request: run it (``new``), replay a response, or refuse it."""

    outcome: Literal["new", "replay", "in_flight", "other_request"]
    status_code: int | None = None
    content_type: str | None = None
    body: str | None = None


def claim(database: Database, user_id: int, key: str, fingerprint: str, now: datetime) -> Claim:
    """Claim ``key`` for a request with ``fingerprint``, or say what the earlier request left."""
    try:
        with database.session() as db:
            found = db.scalar(
                select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
            )
            if found is None:
                db.add(IdempotencyRecord(user_id=user_id, key=key, fingerprint=fingerprint, created_at=now))
                db.flush()
                return Claim("new")
            if found.fingerprint != fingerprint:
                return Claim("other_request")
            if found.status_code is None:
                if now - found.created_at < IN_FLIGHT_LIMIT:
                    return Claim("in_flight")
                found.created_at = now  # the first request died: this one takes over
                return Claim("new")
            return Claim("replay", found.status_code, found.content_type, found.body)
    except IntegrityError:  # a simultaneous request claimed the key first
        return Claim("in_flight")


def fill(database: Database, user_id: int, key: str, status_code: int, content_type: str | None, body: str) -> None:
    """Keep the response of the request that claimed ``key``."""
    with database.session() as db:
        found = db.scalar(
            select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        )
        if found is not None:
            found.status_code, found.content_type, found.body = status_code, content_type, body


def release(database: Database, user_id: int, key: str) -> None:
    """Drop the claim (the request failed on our side), so a retry runs again."""
    with database.session() as db:
        db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key))


def purge_expired(database: Database, now: datetime, keep: timedelta) -> int:
    """Delete the records made more than ``keep`` before ``now`` (periodic work); returns how many.

    A retry after that runs as a new request, as the IETF draft allows once a key has expired.
    """
    with database.session() as db:
        gone = db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - keep))
        return int(getattr(gone, "rowcount", 0) or 0)

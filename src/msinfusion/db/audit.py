"""The append-only audit trail: every entry carries the SHA-256 of the previous one.

``row_hash = SHA-256(prev_hash || canonical(row))``, so editing, deleting or swapping rows breaks the
chain at a point :func:`verify` names. Appends are serialised (PostgreSQL advisory lock; SQLite takes
the write lock at ``BEGIN IMMEDIATE``) so two writers never chain onto the same head. Entries hold ids,
never PHI text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from msinfusion.db.models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x6D73_6175_6469_74  # "msaudit": one lock for the whole chain

_CHAINED_FIELDS = (
    "at",
    "actor_user_id",
    "actor_role",
    "center_id",
    "patient_id",
    "object_type",
    "object_id",
    "action",
    "outcome",
    "request_id",
    "details",
)


def canonical(event: AuditEvent) -> bytes:
    """The bytes that are hashed for one entry: its fields as sorted, compact JSON."""
    values: dict[str, Any] = {name: getattr(event, name) for name in _CHAINED_FIELDS}
    values["at"] = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(event)).hexdigest()


def record(
    session: Session,
    *,
    at: datetime,
    action: str,
    object_type: str,
    outcome: str = "ok",
    object_id: str | int | None = None,
    actor_user_id: int | None = None,
    actor_role: str | None = None,
    center_id: int | None = None,
    patient_id: int | None = None,
    request_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one entry to the chain inside ``session``'s transaction (committed with it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    head = session.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=at.astimezone(UTC),
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        center_id=center_id,
        patient_id=patient_id,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        action=action,
        outcome=outcome,
        request_id=request_id,
        details=details or {},
        prev_hash=head or GENESIS,
    )
    event.row_hash = chain_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    """The result of :func:`verify`: how many entries were checked and the first broken one."""

    checked: int
    first_broken_id: int | None
    heads: dict[int, str] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify(session: Session) -> ChainReport:
    """Walk the whole chain in id order and name the first entry whose link does not hold."""
    prev = GENESIS
    checked = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        checked += 1
        if event.prev_hash != prev or chain_hash(prev, event) != event.row_hash:
            return ChainReport(checked, event.id)
        prev = event.row_hash
    return ChainReport(checked, None, {0: prev} if checked else {})

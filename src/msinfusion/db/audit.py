"""The append-only audit trail: a few hash chains that writers append to side by side.

Every entry carries ``row_hash = SHA-256(prev_hash || canonical(row))``, where ``prev_hash`` is the hash
of the entry before it in the same chain (or the chain's genesis value), so editing, deleting or moving
an entry breaks a link that :func:`verify` names. Entries hold ids, never PHI text.

Why several chains. One chain needs one global lock: every page view that writes an audit entry would
wait for the one before it to commit. Instead the trail is striped over the chains listed in
``audit_chain_heads`` (32, made by the migrations). A writer locks one chain's head row for the rest of
its transaction with ``SELECT ... FOR UPDATE SKIP LOCKED`` taking the lowest-numbered chain nobody holds,
appends after that head and moves the head. So writers only wait when every chain is held at once, and
a quiet system writes everything to chain 0. Within a chain the row lock orders the appends, and ids
come from the sequence while the lock is held, so id order is chain order. (We did not take per-center
chains: every page view of a busy center would still queue behind one lock.) SQLite has a single writer
anyway (``BEGIN IMMEDIATE``), so there every append goes to chain 0.

What verification proves. :func:`verify` reads the recorded heads, then walks all entries in id order
and rebuilds the chains from the links alone: each entry must link to the current end of some chain and
hash to its own ``row_hash``; each chain must reach its recorded head. The first entry that fails is
named. A rewrite of a chain's tail together with its head row is not visible from inside the database,
which is why backups copy the heads into their manifest and ``msinfusion audit verify`` prints them
(keep them elsewhere: the database triggers already refuse UPDATE and DELETE on entries).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from msinfusion.db.audit_models import AuditChainHead
from msinfusion.db.models import AuditEvent

CHAINS = 32  # chains made by the migrations (or by the first append into a database whose heads were emptied)
GENESIS = "0" * 64  # chain 0's genesis (the single chain of earlier releases continues as chain 0)
_HELD_CHAIN = "msinfusion_audit_chain"  # session.info key: the chain this session's transaction holds

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


def genesis(chain: int) -> str:
    """The ``prev_hash`` of a chain's first entry."""
    if chain == 0:
        return GENESIS
    return hashlib.sha256(f"msinfusion audit chain {chain}".encode()).hexdigest()


def canonical(event: AuditEvent) -> bytes:
    """The bytes that are hashed for one entry: its fields as sorted, compact JSON."""
    values: dict[str, Any] = {name: getattr(event, name) for name in _CHAINED_FIELDS}
    values["at"] = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(event)).hexdigest()


def open_chains(connection: Connection) -> None:
    """Create the chains' head rows that are missing, in ``connection``'s transaction.

    The migrations make them; call this after emptying every table (tests do), or let the first append
    do it.
    """
    rows = [{"chain": c, "head_id": None, "head_hash": genesis(c), "length": 0} for c in range(CHAINS)]
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(insert(AuditChainHead).values(rows).on_conflict_do_nothing())


def _make_chains(session: Session) -> None:
    """Create the missing chains for the first append after the heads were emptied.

    On PostgreSQL this commits at once on a connection of its own (outside the pool, which the other
    writers may have taken), so that concurrent writers neither wait for nor collide with this
    transaction; SQLite's single writer makes it part of this one.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and isinstance(bind, Engine):
        engine = create_engine(bind.url, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                open_chains(connection)
        finally:
            engine.dispose()
    else:
        open_chains(session.connection())


def _claim_chain(session: Session) -> tuple[int, str, int]:
    """Lock one chain's head row until the transaction ends; return its number, head hash and length."""
    heads = AuditChainHead.__table__
    columns = select(heads.c.chain, heads.c.head_hash, heads.c.length)
    session.connection()  # begin the transaction, so that it can be told apart from the next one
    transaction = session.get_transaction()
    held = session.info.get(_HELD_CHAIN)
    if held is not None and held[0] is transaction:
        row = session.execute(columns.where(heads.c.chain == held[1]).with_for_update()).first()
    else:
        row = session.execute(columns.order_by(heads.c.chain).limit(1).with_for_update(skip_locked=True)).first()
        if row is None:  # every chain is held right now: queue behind one of them
            row = session.execute(columns.order_by(func.random()).limit(1).with_for_update()).first()
    if row is None:
        _make_chains(session)
        return _claim_chain(session)
    session.info[_HELD_CHAIN] = (transaction, row.chain)
    return int(row.chain), str(row.head_hash), int(row.length)


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
    """Append one entry to a free chain inside ``session``'s transaction (committed with it)."""
    chain, head_hash, length = _claim_chain(session)
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
        prev_hash=head_hash,
    )
    event.row_hash = chain_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.chain == chain)
        .values(head_id=event.id, head_hash=event.row_hash, length=length + 1)
    )
    return event


@dataclass(frozen=True)
class _Head:
    head_id: int | None
    head_hash: str
    length: int


@dataclass(frozen=True)
class ChainReport:
    """The result of :func:`verify`: entries checked, the first broken one and why, each chain's head."""

    checked: int
    first_broken_id: int | None
    heads: dict[int, str] = field(default_factory=dict)
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None and self.reason is None


def verify(session: Session) -> ChainReport:
    """Rebuild every chain from its links in id order and name the first entry whose link does not hold."""
    # Heads first: a writer that commits between the two reads only makes a chain longer than recorded.
    # Plain rows and populate_existing: what the database holds now, never objects the session kept.
    columns = select(AuditChainHead.chain, AuditChainHead.head_id, AuditChainHead.head_hash, AuditChainHead.length)
    recorded = {row.chain: _Head(row.head_id, row.head_hash, row.length) for row in session.execute(columns)}
    ends: dict[str, int] = {genesis(chain): chain for chain in recorded}
    lengths = dict.fromkeys(recorded, 0)
    checked = 0
    entries = session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000, populate_existing=True)
    )
    try:
        for event in entries:
            checked += 1
            broken = _broken_link(event, ends, lengths, recorded)
            if broken:
                return ChainReport(checked, event.id, reason=broken)
    finally:
        entries.close()
    for chain, head in recorded.items():
        if lengths[chain] < head.length:
            reason = (
                f"chain {chain} ends after {lengths[chain]} entries but its head records {head.length}: "
                f"entries at its end (up to entry {head.head_id}) were deleted"
            )
            return ChainReport(checked, head.head_id, reason=reason)
    heads_found = {chain: end for end, chain in ends.items() if lengths[chain]}
    return ChainReport(checked, None, dict(sorted(heads_found.items())))


def _broken_link(
    event: AuditEvent, ends: dict[str, int], lengths: dict[int, int], recorded: dict[int, _Head]
) -> str | None:
    """Extend the chain ``event`` links to (updating ``ends`` and ``lengths``), or say why it cannot."""
    chain = ends.pop(event.prev_hash, None)
    if chain is None:
        return f"entry {event.id} links to no chain's end: an entry before it was changed, deleted or moved"
    if chain_hash(event.prev_hash, event) != event.row_hash:
        return f"entry {event.id} does not match its hash: it was changed"
    lengths[chain] += 1
    head = recorded[chain]
    if lengths[chain] == head.length and event.row_hash != head.head_hash:
        return f"entry {event.id} is not the head recorded for chain {chain}: the chain was rewritten"
    ends[event.row_hash] = chain
    return None

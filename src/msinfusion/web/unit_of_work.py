"""The request ritual: a unit of work owns the route's transaction and writes its audit entries in it.

A route declares its audit event next to its access policy::

    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "prescription")],

and names the object as it learns it (``work.audit(object_id=..., patient_id=...)``). When the route
returns, the unit of work appends the entries to the audit trail and commits, in one transaction and
before the response leaves; when it raises, everything is rolled back and no entry is written. A route
that refuses a change calls :meth:`UnitOfWork.discard` and may then record what it showed instead.
``tests/web/test_route_policies.py`` checks that every route that changes state declares its event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from msinfusion.db import audit
from msinfusion.db.database import reading
from msinfusion.web.dependencies import DbSession, Principal, app_clock


@dataclass(frozen=True)
class AuditEvent:
    """What a route does, for the audit trail: an action on a type of object."""

    action: str
    object_type: str

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}"


@dataclass
class UnitOfWork:
    """One request's transaction: the session, and the audit entries to write when it commits."""

    db: Session
    request: Request
    event: AuditEvent
    _entries: list[dict[str, Any]] = field(default_factory=list)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def audit(
        self,
        *,
        object_id: str | int | None = None,
        patient_id: int | None = None,
        details: dict[str, Any] | None = None,
        outcome: str = "ok",
        actor: Principal | Literal["signed-in"] | None = "signed-in",
        event: AuditEvent | None = None,
    ) -> None:
        """Add an entry (ids only, never PHI text); the actor is the signed-in principal unless given."""
        chosen = event or self.event
        principal = getattr(self.request.state, "principal", None) if actor == "signed-in" else actor
        self._entries.append(
            {
                "action": chosen.action,
                "object_type": chosen.object_type,
                "object_id": object_id,
                "outcome": outcome,
                "actor_user_id": principal.user_id if principal else None,
                "actor_role": principal.role if principal else None,
                "center_id": principal.center_id if principal else None,
                "patient_id": patient_id,
                "details": details,
            }
        )

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed (hand a queued run to the worker, say)."""
        self._after_commit.append(callback)

    def discard(self) -> None:
        """Roll back what the route changed so far and forget its entries (a refused change)."""
        self.db.rollback()
        self._entries.clear()
        self._after_commit.clear()

    def reading(self) -> AbstractContextManager[Session]:
        """A read-only transaction for the block (on SQLite it takes no write lock); entries come after."""
        return reading(self.db)

    def complete(self) -> None:
        """Write the entries and commit (called once, when the route returned)."""
        clock = app_clock(self.request)
        request_id = getattr(self.request.state, "request_id", None)
        for entry in self._entries:
            audit.record(self.db, at=clock(), request_id=request_id, **entry)
        self._entries.clear()
        self.db.commit()
        for callback in self._after_commit:
            callback()


@dataclass(frozen=True)
class Audited:
    """The dependency a route declares: a unit of work that audits ``event``."""

    event: AuditEvent

    def __call__(self, request: Request, db: DbSession) -> Iterator[UnitOfWork]:
        work = UnitOfWork(db, request, self.event)
        try:
            yield work
        except BaseException:
            db.rollback()
            raise
        work.complete()


def audited(action: str, object_type: str) -> Any:
    """Declare a route's audit event and take its unit of work: ``Annotated[UnitOfWork, audited(...)]``."""
    # Function scope: the commit happens when the route returns, before the response is sent.
    return Depends(Audited(AuditEvent(action, object_type)), scope="function")

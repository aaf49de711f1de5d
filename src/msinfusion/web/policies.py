"""Route policies: every route declares exactly one, and the policy enforces it centrally.

A policy checks, in order: CSRF on unsafe methods, that someone is signed in (401), the role (403),
and that every object named in the path belongs to the caller — their own patient record, or their
center (404 otherwise, so other people's ids are not revealed). Refusals are written to the audit trail.
Next to its policy a route declares the audit event it writes (:func:`msinfusion.web.unit_of_work.audited`).
``tests/web/test_route_policies.py`` fails on any route without a policy, with an unknown id in its path,
or that changes state without declaring its audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount

from msinfusion.db import audit
from msinfusion.db.models import ROLES, STAFF_ROLES, Appointment, Patient, Prescription, User
from msinfusion.limits import MAX_ROW_ID
from msinfusion.web import csrf
from msinfusion.web.dependencies import Principal, app_clock, app_database, current_principal
from msinfusion.web.unit_of_work import Audited

Scope = Literal["none", "own-patient", "center"]


class NotAuthenticated(Exception):
    """Nobody is signed in; answered with 401 (API, forms) or a redirect to the sign-in page (pages)."""


# Owner of an object named in a path: (center id, patient id), or None when it does not exist.
Owner = tuple[int, int | None]


def _patient_owner(db: Session, object_id: int) -> Owner | None:
    row = db.execute(select(Patient.center_id, Patient.id).where(Patient.id == object_id)).first()
    return None if row is None else (row[0], row[1])


def _prescription_owner(db: Session, object_id: int) -> Owner | None:
    row = db.execute(
        select(Patient.center_id, Patient.id)
        .join(Prescription, Prescription.patient_id == Patient.id)
        .where(Prescription.id == object_id)
    ).first()
    return None if row is None else (row[0], row[1])


def _appointment_owner(db: Session, object_id: int) -> Owner | None:
    row = db.execute(select(Appointment.center_id, Appointment.patient_id).where(Appointment.id == object_id)).first()
    return None if row is None else (row[0], row[1])


def _user_owner(db: Session, object_id: int) -> Owner | None:
    center_id = db.scalar(select(User.center_id).where(User.id == object_id))
    return None if center_id is None else (center_id, None)


# Every id that may appear in a path, and how to find whose it is. Ids of shared reference data
# (the therapy catalog) are listed as unscoped.
OWNERS: dict[str, Callable[[Session, int], Owner | None]] = {
    "patient_id": _patient_owner,
    "prescription_id": _prescription_owner,
    "appointment_id": _appointment_owner,
    "user_id": _user_owner,
}
# A calendar-feed token is its own credential (public route, looked up by hash), not an object id.
UNSCOPED_PATH_PARAMS = frozenset({"therapy_id", "path", "token"})


@dataclass(frozen=True)
class Policy:
    """Who may call a route: the roles allowed and how objects in the path must relate to them."""

    name: str
    roles: frozenset[str] | None  # None: anyone, signed in or not
    scope: Scope
    csrf: bool = True  # False only where the path's signed token is the credential and mail servers POST

    async def __call__(
        self, request: Request, principal: Principal | None = Depends(current_principal)
    ) -> Principal | None:
        if self.csrf:
            await csrf.check(request)
        if self.roles is None:
            return principal
        if principal is None:
            raise NotAuthenticated
        if principal.role not in self.roles:
            await run_in_threadpool(_audit_denial, request, principal, "role")
            raise HTTPException(403, "Your account cannot open this page.")
        if self.scope != "none" and not await run_in_threadpool(self._owns_path_objects, request, principal):
            raise HTTPException(404, "Not found.")
        return principal

    def _owns_path_objects(self, request: Request, principal: Principal) -> bool:
        named = [(name, raw) for name, raw in request.path_params.items() if name not in UNSCOPED_PATH_PARAMS]
        if not named:  # nothing in the path to own: no transaction (on SQLite, no wait for the write lock)
            return True
        database = app_database(request)
        with database.read_session() as db:
            denied = self._first_foreign(db, named, principal)
        if denied is None:
            return True
        with database.session() as db:
            _record_denial(db, request, principal, "object", *denied)
        return False

    def _first_foreign(self, db: Session, named: list[tuple[str, Any]], principal: Principal) -> tuple[str, Any] | None:
        """The first (name, raw id) in the path that is not the principal's, or None when all are."""
        for name, raw in named:
            owner_of = OWNERS.get(name)
            if owner_of is None:  # fail closed: an id nobody taught the policies about
                raise RuntimeError(f"no owner rule for path parameter {name!r}")
            try:
                number = int(raw)
            except (TypeError, ValueError):
                number = 0
            # An id outside a row id's range names nothing: not found, without asking the database.
            owner = owner_of(db, number) if 1 <= number <= MAX_ROW_ID else None
            allowed = owner is not None and (
                owner[0] == principal.center_id
                if self.scope == "center"
                else owner[1] is not None and owner[1] == principal.patient_id
            )
            if not allowed:
                return name, raw
        return None


def _record_denial(
    db: Session, request: Request, principal: Principal, reason: str, object_type: str = "route", object_id: Any = None
) -> None:
    audit.record(
        db,
        at=app_clock(request)(),
        action="access",
        outcome="denied",
        object_type=object_type,
        object_id=str(object_id)[:64] if object_id is not None else None,
        actor_user_id=principal.user_id,
        actor_role=principal.role,
        center_id=principal.center_id,
        request_id=getattr(request.state, "request_id", None),
        details={"reason": reason, "route": getattr(request.scope.get("route"), "path", "")},
    )


def _audit_denial(request: Request, principal: Principal, reason: str) -> None:
    with app_database(request).session() as db:
        _record_denial(db, request, principal, reason)


POLICIES: dict[str, Policy] = {
    p.name: p
    for p in (
        Policy("public", None, "none"),
        # RFC 8058 one-click unsubscribe: the mail provider POSTs the link from the message, without
        # a session or a CSRF token; the signed token in the path is the only credential.
        Policy("signed-link", None, "none", csrf=False),
        Policy("authenticated", frozenset(ROLES), "none"),
        Policy("patient-self", frozenset({"patient"}), "own-patient"),
        Policy("staff-center", frozenset(STAFF_ROLES), "center"),
        Policy("nurse-center", frozenset({"nurse"}), "center"),  # the day board's steps
        Policy("scheduler-center", frozenset({"scheduler", "admin"}), "center"),
        Policy("admin-center", frozenset({"admin"}), "center"),
    )
}


def policy(name: str) -> Any:
    """Declare and enforce a route's policy: ``principal: Principal = policy("staff-center")``."""
    return Depends(POLICIES[name])


@dataclass(frozen=True)
class RoutePolicy:
    """One row of the route table: a path, its methods and the policy it declares (None: missing)."""

    path: str
    methods: frozenset[str]
    policy: str | None
    path_params: frozenset[str]
    audit: str | None = None  # the audit event declared with the policy ("create prescription"), if any


# Mounted apps that serve only public, non-PHI files.
PUBLIC_MOUNTS = frozenset({"/static"})


def _declared_policies(dependant: Any) -> list[str]:
    found: list[str] = []
    for sub in getattr(dependant, "dependencies", ()):
        if isinstance(sub.call, Policy):
            found.append(sub.call.name)
        found.extend(_declared_policies(sub))
    return found


def _declared_audits(dependant: Any) -> list[str]:
    found: list[str] = []
    for sub in getattr(dependant, "dependencies", ()):
        if isinstance(sub.call, Audited):
            found.append(str(sub.call.event))
        found.extend(_declared_audits(sub))
    return found


def route_table(app: FastAPI) -> list[RoutePolicy]:
    """Every route of ``app`` with its declared policy (mounts in PUBLIC_MOUNTS count as public)."""
    table: list[RoutePolicy] = []
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if isinstance(context.original_route, Mount):
            declared = ["public"] if path in PUBLIC_MOUNTS else []
            table.append(RoutePolicy(path, frozenset(), declared[0] if declared else None, frozenset()))
            continue
        dependant = getattr(context, "dependant", None) or getattr(context.original_route, "dependant", None)
        declared = sorted(set(_declared_policies(dependant)))
        audits = _declared_audits(dependant)
        table.append(
            RoutePolicy(
                path,
                frozenset(context.methods or ()),
                declared[0] if len(declared) == 1 else None,
                frozenset(getattr(context, "param_convertors", {}) or {}),
                audits[0] if len(audits) == 1 else None,
            )
        )
    return table

"""The staff day board: each patient's step through the visit, with buttons to record the next step."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.board import BOARD_STATES, STATE_WORDS, next_state
from msinfusion.db import board as day_board
from msinfusion.db.center_catalog import center_catalog, center_today
from msinfusion.db.models import Appointment
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.web import audit_trail
from msinfusion.web.dependencies import Principal, db_session, now
from msinfusion.web.pages import render
from msinfusion.web.policies import policy

router = APIRouter(prefix="/staff/board", include_in_schema=False)


def local(instant: datetime | None, zone: ZoneInfo) -> str:
    """``HH:MM`` in the center's time zone, or an en dash."""
    return instant.astimezone(zone).strftime("%H:%M") if instant else "–"


def _page(
    request: Request,
    db: Session,
    principal: Principal,
    day: date,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    zone = day_board.center_zone(db, principal.center_id)
    rows = day_board.board_rows(db, principal.center_id, day)
    for row in rows:
        audit_trail.record(
            db, request, principal, "read", "appointment", object_id=row.appointment_id, patient_id=row.patient_id
        )
    db.commit()
    context = {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "rows": rows,
        "time": lambda instant: local(instant, zone),
        "error": error,
    }
    return render(request, "staff/board.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def board_page(
    request: Request,
    day: Annotated[date | None, Query()] = None,
    principal: Principal = policy("staff-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    return _page(request, db, principal, day or center_today(db, principal.center_id, at))


@router.post("/appointments/{appointment_id}/state")
def advance(
    request: Request,
    appointment_id: int,
    from_state: Annotated[str, Form(max_length=16)],
    to_state: Annotated[str, Form(max_length=16)],
    principal: Principal = policy("staff-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    appointment = db.get_one(Appointment, appointment_id)
    day = appointment.day
    phases = day_board.visit_phases(center_catalog(db, principal.center_id), appointment.treatment)
    allowed = next_state(appointment.board_state, phases)
    if appointment.status != "booked" or from_state not in BOARD_STATES or to_state not in BOARD_STATES:
        return _page(request, db, principal, day, error="That step cannot be recorded.", status_code=422)
    if appointment.board_state != from_state or to_state != allowed:
        # Someone else recorded a step in between; show the board as it is now.
        shown = STATE_WORDS[appointment.board_state]
        return _page(
            request,
            db,
            principal,
            day,
            status_code=409,
            error=f"Someone already changed this patient's step (it is now “{shown}”). Nothing was changed.",
        )
    try:
        appointment.board_state = to_state
        db.flush()  # the row's version check: a step recorded at the same moment fails here
    except StaleDataError:
        db.rollback()
        return _page(
            request,
            db,
            principal,
            day,
            status_code=409,
            error="Someone changed this patient's step at the same moment. Nothing was changed.",
        )
    db.add(BoardEvent(appointment_id=appointment.id, state=to_state, at=at, user_id=principal.user_id))
    audit_trail.record(
        db,
        request,
        principal,
        "update",
        "appointment",
        object_id=appointment.id,
        patient_id=appointment.patient_id,
        details={"board_state": to_state},
    )
    db.commit()
    query = urlencode({"day": day.isoformat()})
    return RedirectResponse(f"/staff/board?{query}#appointment-{appointment.id}", status_code=303)

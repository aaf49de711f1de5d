"""The staff day board: each patient's step through the visit, with buttons to record the next step."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.board import BOARD_STATES, STATE_WORDS, next_state
from msinfusion.db import board
from msinfusion.db.center_catalog import center_catalog, center_today
from msinfusion.db.clinical_records import patients_with_reactions
from msinfusion.db.models import Appointment
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.limits import BrowserText, ClinicalDay, max_chars
from msinfusion.web.dependencies import (
    Now,
    Principal,
)
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import AuditEvent, UnitOfWork, audited
from msinfusion.web.views.bookings import day_exceptions

router = APIRouter(prefix="/staff/board", include_in_schema=False)


def local(instant: datetime | None, zone: ZoneInfo) -> str:
    """``HH:MM`` in the center's time zone, or an en dash."""
    return instant.astimezone(zone).strftime("%H:%M") if instant else "–"


READ_APPOINTMENT = AuditEvent("read", "appointment")


def _page(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    day: date,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    zone = board.center_zone(work.db, principal.center_id)
    rows = board.board_rows(work.db, principal.center_id, day)
    for row in rows:
        work.audit(object_id=row.appointment_id, patient_id=row.patient_id, event=READ_APPOINTMENT)
    context = {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "rows": rows,
        "time": lambda instant: local(instant, zone),
        "error": error,
        "label_exceptions": day_exceptions(work.db, principal.center_id, day),  # views/bookings.py
    }
    return render(request, "staff/board.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def board_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("read", "appointment")],
    at: Now,
    day: Annotated[ClinicalDay | None, Query()] = None,
) -> Response:
    return _page(request, work, principal, day or center_today(work.db, principal.center_id, at))


@router.post("/appointments/{appointment_id}/state")
def advance(
    request: Request,
    appointment_id: int,
    from_state: Annotated[BrowserText, Form(max_length=max_chars("board.state"))],
    to_state: Annotated[BrowserText, Form(max_length=max_chars("board.state"))],
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("update", "appointment")],
    at: Now,
    clinician_confirms: Annotated[BrowserText, Form(max_length=max_chars("form.checkbox"))] = "",
    clinician_reason: Annotated[BrowserText, Form(max_length=max_chars("clinician.reason"))] = "",
) -> Response:
    appointment = work.db.get_one(Appointment, appointment_id)
    day = appointment.day
    catalog = center_catalog(work.db, principal.center_id)
    reacted = appointment.patient_id in patients_with_reactions(work.db, {appointment.patient_id})
    phases = board.visit_phases(catalog, appointment.treatment, after_reaction=reacted)
    allowed = next_state(appointment.board_state, phases)
    if appointment.status != "booked" or from_state not in BOARD_STATES or to_state not in BOARD_STATES:
        return _page(request, work, principal, day, error="That step cannot be recorded.", status_code=422)
    if appointment.board_state != from_state or to_state != allowed:
        # Someone else recorded a step in between; show the board as it is now.
        shown = STATE_WORDS[appointment.board_state]
        return _page(
            request,
            work,
            principal,
            day,
            status_code=409,
            error=f"Someone already changed this patient's step (it is now “{shown}”). Nothing was changed.",
        )
    missing, gate = board.dose_guards(work.db, catalog, appointment)
    confirmed = bool(clinician_confirms) and bool(clinician_reason.strip())
    if to_state == "infusing" and (missing or gate) and not confirmed:
        reasons = "; ".join([*missing, *([gate] if gate else [])])
        return _page(
            request,
            work,
            principal,
            day,
            status_code=422,
            error=f"The infusion cannot start: {reasons}. Record the checks on the patient's page, "
            "or a clinician confirms with a written reason.",
        )
    try:
        appointment.board_state = to_state
        work.db.flush()  # the row's version check: a step recorded at the same moment fails here
    except StaleDataError:
        work.discard()
        return _page(
            request,
            work,
            principal,
            day,
            status_code=409,
            error="Someone changed this patient's step at the same moment. Nothing was changed.",
        )
    work.db.add(BoardEvent(appointment_id=appointment.id, state=to_state, at=at, user_id=principal.user_id))
    work.audit(
        object_id=appointment.id,
        patient_id=appointment.patient_id,
        details={
            "board_state": to_state,
            **({"clinician_confirmed": True} if to_state == "infusing" and (missing or gate) else {}),
        },
    )
    query = urlencode({"day": day.isoformat()})
    return RedirectResponse(f"/staff/board?{query}#appointment-{appointment.id}", status_code=303)

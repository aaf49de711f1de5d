"""The staff day board: each patient's step through the visit, the compact view by chair, and the nurses'
forms to record the next step, undo a step recorded by mistake and correct the time of a step.

The board follows the language switch (or the browser's language). Add-ons and repairs are in
:mod:`msinfusion.web.routes.staff.board_replan`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.board import (
    BOARD_STATES,
    STATE_WORDS,
    STOP_STYLE,
    next_state,
    time_problem,
    undo_target,
)
from msinfusion.db import board
from msinfusion.db.center_catalog import center_catalog, center_today
from msinfusion.db.clinical_records import patients_with_reactions
from msinfusion.db.day_schedule.day import instant_at
from msinfusion.db.models import Appointment, Patient
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.limits import BrowserText, ClinicalDay, max_chars
from msinfusion.scheduling.clock import parse_clock
from msinfusion.scheduling.problems import DayProblem
from msinfusion.web.dependencies import Now, Principal
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views.board_page import back_to, board_response, board_translator, say

router = APIRouter(prefix="/staff/board", include_in_schema=False)

CONFIRM_CHECK_IN = "confirmed"
"""The value of the checkbox that confirms checking in a patient whose check says not to infuse."""


@router.get("", response_class=HTMLResponse)
def board_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("read", "appointment")],
    at: Now,
    day: Annotated[ClinicalDay | None, Query()] = None,
) -> Response:
    return board_response(request, work, principal, day or center_today(work.db, principal.center_id, at), at)


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
    check_read: Annotated[BrowserText, Form(max_length=16)] = "",
) -> Response:
    t = board_translator(request)
    appointment = work.db.get_one(Appointment, appointment_id)
    day = appointment.day
    catalog = center_catalog(work.db, principal.center_id)
    reacted = appointment.patient_id in patients_with_reactions(work.db, {appointment.patient_id})
    phases = board.visit_phases(catalog, appointment.treatment, after_reaction=reacted)
    allowed = next_state(appointment.board_state, phases)

    def refuse(message: str, status_code: int) -> Response:
        return board_response(request, work, principal, day, at, error=message, status_code=status_code)

    if appointment.status != "booked" or from_state not in BOARD_STATES or to_state not in BOARD_STATES:
        return refuse(say(t, "That step cannot be recorded."), 422)
    if appointment.board_state != from_state or to_state != allowed:
        # Someone else recorded a step in between; show the board as it is now.
        shown = t.gettext(STATE_WORDS[appointment.board_state])
        return refuse(
            say(
                t,
                "Someone already changed this patient's step (it is now “{state}”). Nothing was changed.",
                state=shown,
            ),
            409,
        )
    check = board.check_of(work.db, appointment)
    stop = to_state == "checked_in" and check is not None and check[2] == STOP_STYLE
    if stop and check_read != CONFIRM_CHECK_IN:
        patient = work.db.get_one(Patient, appointment.patient_id).display_name
        return refuse(
            say(
                t,
                "{patient}'s check says not to infuse. To check them in, tick the box that says you read the "
                "check and will talk to the clinician before any infusion.",
                patient=patient,
            ),
            422,
        )
    missing, gate = board.dose_guards(work.db, catalog, appointment)
    confirmed = bool(clinician_confirms) and bool(clinician_reason.strip())
    if to_state == "infusing" and (missing or gate) and not confirmed:
        reasons = "; ".join([*missing, *([gate] if gate else [])])
        return refuse(
            say(
                t,
                "The infusion cannot start: {reasons}. Record the checks on the patient's page, "
                "or a clinician confirms with a written reason.",
                reasons=reasons,
            ),
            422,
        )
    try:
        appointment.board_state = to_state
        work.db.flush()  # the row's version check: a step recorded at the same moment fails here
    except StaleDataError:
        work.discard()
        return refuse(say(t, "Someone changed this patient's step at the same moment. Nothing was changed."), 409)
    work.db.add(BoardEvent(appointment_id=appointment.id, state=to_state, at=at, user_id=principal.user_id))
    work.audit(
        object_id=appointment.id,
        patient_id=appointment.patient_id,
        details={
            "board_state": to_state,
            **({"clinician_confirmed": True} if to_state == "infusing" and (missing or gate) else {}),
            **({"check_says_do_not_infuse": True} if stop else {}),
        },
    )
    return back_to(day, appointment.id)


def _events_of(work: UnitOfWork, appointment_id: int) -> list[BoardEvent]:
    return list(
        work.db.scalars(
            select(BoardEvent).where(BoardEvent.appointment_id == appointment_id).order_by(BoardEvent.at, BoardEvent.id)
        )
    )


def _bump(work: UnitOfWork, appointment: Appointment, version: int) -> bool:
    """Check the version the form was made from and give the row a new one; False when it is stale."""
    if appointment.version != version:
        return False
    try:
        # A step's time is part of the visit's state: the row gets a new version even though no column of
        # it changes (the version check in the UPDATE catches a change made at the same moment).
        flag_modified(appointment, "board_state")
        work.db.flush()
    except StaleDataError:
        return False
    return True


@router.post("/appointments/{appointment_id}/undo")
def undo(
    request: Request,
    appointment_id: int,
    state: Annotated[BrowserText, Form(max_length=16)],
    version: Annotated[int, Form(ge=1, le=2**31)],
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("update", "appointment")],
    at: Now,
) -> Response:
    """Take back the latest step recorded for a visit (recorded by mistake)."""
    t = board_translator(request)
    appointment = work.db.get_one(Appointment, appointment_id)
    events = _events_of(work, appointment.id)
    target = undo_target(appointment.board_state, [e.state for e in events])
    if appointment.board_state != state or target is None or appointment.status != "booked":
        return board_response(
            request,
            work,
            principal,
            appointment.day,
            at,
            status_code=409,
            error=say(t, "This patient's step changed since the page was shown, so nothing was undone."),
        )
    undone = [e for e in events if e.state == state]
    appointment.board_state = target
    if appointment.version != version or not _bump(work, appointment, version):
        work.discard()
        return board_response(
            request,
            work,
            principal,
            appointment.day,
            at,
            status_code=409,
            error=say(t, "Someone changed this patient's step at the same moment. Nothing was changed."),
        )
    for event in undone:
        work.db.delete(event)
    work.audit(
        object_id=appointment.id,
        patient_id=appointment.patient_id,
        details={
            "board_undo": state,
            "board_state": target,
            "undone_at": [e.at.isoformat() for e in undone],
        },
    )
    return back_to(appointment.day, appointment.id)


@router.post("/appointments/{appointment_id}/time")
def correct_time(
    request: Request,
    appointment_id: int,
    state: Annotated[BrowserText, Form(max_length=16)],
    at_time: Annotated[BrowserText, Form(max_length=max_chars("schedule.start"))],
    version: Annotated[int, Form(ge=1, le=2**31)],
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("update", "appointment")],
    at: Now,
) -> Response:
    """Correct the time of a step recorded late ("the infusion started at 10:20")."""
    t = board_translator(request)
    appointment = work.db.get_one(Appointment, appointment_id)
    zone = board.center_zone(work.db, principal.center_id)
    day = appointment.day

    def refuse(message: str, status_code: int = 422) -> Response:
        work.discard()
        return board_response(request, work, principal, day, at, error=message, status_code=status_code)

    try:
        minutes = parse_clock(at_time)
    except (DayProblem, ValueError):
        return refuse(say(t, "Give the time as HH:MM, for example 10:20."))
    events = _events_of(work, appointment.id)
    recorded = {e.state: e.at for e in events}
    new_at = instant_at(day, minutes, zone)
    problem = time_problem(state, new_at, recorded, day, zone, at)
    if problem is not None:
        return refuse(say(t, problem[0], **problem[1]))
    if not _bump(work, appointment, version):
        return refuse(
            say(t, "This patient's steps changed since the page was shown. Nothing was changed; check the time again."),
            409,
        )
    event = next(e for e in reversed(events) if e.state == state)
    old = event.at
    event.at = new_at
    work.audit(
        object_id=appointment.id,
        patient_id=appointment.patient_id,
        details={"board_time": state, "from": old.isoformat(), "to": new_at.isoformat(), "event_id": event.id},
    )
    return back_to(day, appointment.id)

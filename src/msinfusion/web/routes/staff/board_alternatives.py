"""Taking an add-on's other way from the board (issue 13): at the start wanted with other patients'
starts moved ("with moves"), or booked on the center's next open day ("another day").

Each is two steps, like every re-plan on the board (:mod:`msinfusion.web.routes.staff.board_replan`):
the add-on proposal lists the ways, each way opens its own proposal page with exactly what changes,
and a nurse confirms. A confirmation is stored only when the day is still the one the proposal was
made from (its token), and the schedule keeps every rule; otherwise it is a 409 and nothing changes.

* **With moves** stores the re-planned day like any add-on (:func:`msinfusion.db.live_day.apply_plan`):
  the add-on gets its chair and start, each moved patient their new start, and every patient whose
  time was set or changed is told through the outbox.
* **Another day** is a booking (:func:`msinfusion.db.add_on_booking.book_add_on`): refused when the day
  has closed or a visit on it changed since, or when the chair was taken meanwhile; the patient is told
  the visit is booked.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from msinfusion.db.add_on_booking import book_add_on, day_as_booked, day_token
from msinfusion.db.center_catalog import center_today
from msinfusion.db.day_schedule import DayClosed
from msinfusion.db.live_day import NEW_VISIT, DayChanged, LiveDay, NoLiveSchedule, add_on_visit, apply_plan, live_day
from msinfusion.db.models import Appointment, Patient
from msinfusion.db.visit_changes import closed_reason
from msinfusion.i18n import Translator
from msinfusion.limits import BrowserText, ClinicalDay, max_chars
from msinfusion.prescriptions import RecordProblem
from msinfusion.scheduling import Day, parse_schedule
from msinfusion.scheduling.clock import parse_clock
from msinfusion.scheduling.day import with_catalog_phases
from msinfusion.scheduling.problems import DayProblem
from msinfusion.scheduling.schedule import Assignment, Schedule
from msinfusion.scheduling.validation import InvalidSchedule, replan_violations, schedule_violations
from msinfusion.web.booking_changes import visit_changed
from msinfusion.web.dependencies import Mail, Now, Principal
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import AuditEvent, UnitOfWork, audited
from msinfusion.web.views.board_alternatives import moves_facts, placed_add_on, placement_facts
from msinfusion.web.views.board_page import (
    back_to,
    board_translator,
    conflict_response,
    proposal_response,
    say,
)

router = APIRouter(prefix="/staff/board/add-on", include_in_schema=False)

TEMPLATE = "staff/board_alternative.html"
UPDATE_APPOINTMENT = AuditEvent("update", "appointment")
REFUSED = (
    DayChanged,
    NoLiveSchedule,
    DayClosed,
    DayProblem,
    InvalidSchedule,
    LookupError,
    RecordProblem,
    ValidationError,
    ValueError,
)
"""What a proposal checked against the day as it is now may raise: the day changed since (a 409)."""


def _patient_name(work: UnitOfWork, patient_id: int) -> str:
    patient = work.db.get_one(Patient, patient_id)
    return f"{patient.display_name} ({patient.reference})"


def _audit_reads(work: UnitOfWork, keys: list[str]) -> None:
    ids = [int(k[1:]) for k in keys if k.startswith("A") and k[1:].isdigit()]
    for row in work.db.scalars(select(Appointment).where(Appointment.id.in_(ids))) if ids else []:
        work.audit(object_id=row.id, patient_id=row.patient_id)


# --- with moves -------------------------------------------------------------------------------------


def _checked_moves(
    work: UnitOfWork,
    principal: Principal,
    day: date,
    at: datetime,
    token: str,
    patient_id: int,
    treatment: str,
    earliest: str,
    now: int,
    schedule: str,
) -> tuple[LiveDay, Day, Schedule]:
    """The live day, the day with the add-on and the proposed schedule, when the day is still the one
    the proposal was made from and the schedule keeps every rule (seated patients stay, nothing starts
    before now); raises one of :data:`REFUSED` otherwise."""
    live = live_day(work.db, principal.center_id, day, at)
    if live.token != token or now > live.now:
        raise DayChanged("the day changed")
    visit = add_on_visit(work.db, principal.center_id, patient_id, treatment, max(parse_clock(earliest), now))
    extended = with_catalog_phases(live.day.model_copy(update={"appointments": [*live.day.appointments, visit]}))
    proposed = parse_schedule(schedule)
    problems = schedule_violations(extended, proposed) + replan_violations(live.current, proposed, now)
    if problems:
        raise DayChanged("; ".join(problems[:3]))
    placed_add_on(proposed)
    return live, extended, proposed


@router.post("/with-moves")
def propose_with_moves(
    request: Request,
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("read", "appointment")],
    at: Now,
    day: Annotated[ClinicalDay, Form()],
    token: Annotated[BrowserText, Form(max_length=max_chars("board.token"))],
    patient_id: Annotated[int, Form(ge=1, le=2**62)],
    treatment: Annotated[BrowserText, Form(max_length=max_chars("prescription.therapy_id"))],
    earliest: Annotated[BrowserText, Form(max_length=max_chars("schedule.start"))],
    now: Annotated[int, Form(ge=0, le=24 * 60)],
    schedule: Annotated[BrowserText, Form(max_length=max_chars("board.proposal"))],
) -> Response:
    """The add-on at the start wanted with other patients moved: exactly what changes (nothing stored)."""
    t = board_translator(request)
    try:
        live, _, proposed = _checked_moves(
            work, principal, day, at, token, patient_id, treatment, earliest, now, schedule
        )
    except REFUSED:
        return conflict_response(
            request,
            work,
            principal,
            day,
            at,
            say(t, "The day changed after this proposal was made, so nothing was changed. Propose the add-on again."),
        )
    patient = _patient_name(work, patient_id)
    facts = moves_facts(live.current, proposed, {**live.names, NEW_VISIT: patient})
    work.audit(object_id=None, patient_id=patient_id)
    _audit_reads(work, facts["changed"])
    context: dict[str, Any] = {
        **facts,
        **placement_facts(placed_add_on(proposed), t),
        "patient": patient,
        "patient_id": patient_id,
        "treatment": treatment,
        "earliest": earliest,
        "now": now,
        "schedule_json": schedule,
    }
    return proposal_response(request, day, token, "with-moves", context, TEMPLATE)


@router.post("/with-moves/confirm")
def confirm_with_moves(
    request: Request,
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("create", "appointment")],
    at: Now,
    mail: Mail,
    day: Annotated[ClinicalDay, Form()],
    token: Annotated[BrowserText, Form(max_length=max_chars("board.token"))],
    patient_id: Annotated[int, Form(ge=1, le=2**62)],
    treatment: Annotated[BrowserText, Form(max_length=max_chars("prescription.therapy_id"))],
    earliest: Annotated[BrowserText, Form(max_length=max_chars("schedule.start"))],
    now: Annotated[int, Form(ge=0, le=24 * 60)],
    schedule: Annotated[BrowserText, Form(max_length=max_chars("board.proposal"))],
) -> Response:
    """Store the add-on and the moves shown, if the day is still the one they were made from; every
    patient whose time was set or changed is told."""
    t = board_translator(request)
    try:
        live, extended, proposed = _checked_moves(
            work, principal, day, at, token, patient_id, treatment, earliest, now, schedule
        )
        changed = moves_facts(live.current, proposed, live.names)["changed"]
        rows = apply_plan(work.db, principal.center_id, token, extended, proposed, at, mail, add_on_patient=patient_id)
    except REFUSED:
        return conflict_response(
            request,
            work,
            principal,
            day,
            at,
            say(t, "The day changed after this proposal was made, so nothing was changed. Propose the add-on again."),
        )
    added = max(rows, key=lambda r: r.id)
    work.audit(object_id=added.id, patient_id=patient_id, details={"board_add_on": treatment, "moves": len(changed)})
    for row in rows:
        if f"A{row.id}" in changed:
            work.audit(
                object_id=row.id,
                patient_id=row.patient_id,
                details={"board_add_on_moves": added.id, "status": row.status},
                event=UPDATE_APPOINTMENT,
            )
    return back_to(day, added.id)


# --- another day ------------------------------------------------------------------------------------


def _checked_booking(
    work: UnitOfWork,
    principal: Principal,
    at: datetime,
    day: date,
    on: date,
    token: str,
    patient_id: int,
    treatment: str,
    earliest: str,
    schedule: str,
) -> Assignment:
    """The add-on's place on ``on``, when that day is after the board's, still open and still as booked
    when the proposal was made, and the proposed schedule keeps every rule with every booked visit at its
    start and chair; raises one of :data:`REFUSED` otherwise."""
    center = principal.center_id
    if on <= day or on <= center_today(work.db, center, at):
        raise DayChanged("not a day after the board's")
    closed = closed_reason(work.db, center, on)
    if closed is not None:
        raise DayChanged(closed)
    if day_token(work.db, center, on) != token:
        raise DayChanged("the day changed")
    booked, current = day_as_booked(work.db, center, on, at)
    visit = add_on_visit(work.db, center, patient_id, treatment, parse_clock(earliest))
    extended = with_catalog_phases(booked.model_copy(update={"appointments": [*booked.appointments, visit]}))
    proposed = parse_schedule(schedule)
    problems = schedule_violations(extended, proposed)
    problems += replan_violations(current, proposed, extended.center.opens, max_shift=0)
    kept = {a.appointment: (a.start, a.chair) for a in proposed.assignments}
    problems += [f"{a.appointment} moved" for a in current.assignments if kept.get(a.appointment) != (a.start, a.chair)]
    if problems:
        raise DayChanged("; ".join(problems[:3]))
    return placed_add_on(proposed)


@router.post("/another-day")
def propose_another_day(
    request: Request,
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("read", "appointment")],
    at: Now,
    day: Annotated[ClinicalDay, Form()],
    on: Annotated[ClinicalDay, Form()],
    token: Annotated[BrowserText, Form(max_length=max_chars("board.token"))],
    patient_id: Annotated[int, Form(ge=1, le=2**62)],
    treatment: Annotated[BrowserText, Form(max_length=max_chars("prescription.therapy_id"))],
    earliest: Annotated[BrowserText, Form(max_length=max_chars("schedule.start"))],
    schedule: Annotated[BrowserText, Form(max_length=max_chars("board.proposal"))],
) -> Response:
    """The add-on booked on the center's next open day: where and when (nothing stored)."""
    t = board_translator(request)
    try:
        placed = _checked_booking(work, principal, at, day, on, token, patient_id, treatment, earliest, schedule)
    except REFUSED:
        return conflict_response(request, work, principal, day, at, _day_changed(t, on))
    work.audit(object_id=None, patient_id=patient_id)
    context: dict[str, Any] = {
        **placement_facts(placed, t),
        "on": on,
        "patient": _patient_name(work, patient_id),
        "patient_id": patient_id,
        "treatment": treatment,
        "earliest": earliest,
        "schedule_json": schedule,
    }
    return proposal_response(request, day, token, "tomorrow", context, TEMPLATE)


def _day_changed(t: Translator, on: date) -> str:
    return say(
        t,
        "{date} changed after this proposal was made (a visit was booked, moved or cancelled there, or the "
        "center closed), so nothing was booked. Propose the add-on again.",
        date=t.date(on),
    )


@router.post("/another-day/confirm")
def confirm_another_day(
    request: Request,
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("create", "appointment")],
    at: Now,
    mail: Mail,
    day: Annotated[ClinicalDay, Form()],
    on: Annotated[ClinicalDay, Form()],
    token: Annotated[BrowserText, Form(max_length=max_chars("board.token"))],
    patient_id: Annotated[int, Form(ge=1, le=2**62)],
    treatment: Annotated[BrowserText, Form(max_length=max_chars("prescription.therapy_id"))],
    earliest: Annotated[BrowserText, Form(max_length=max_chars("schedule.start"))],
    schedule: Annotated[BrowserText, Form(max_length=max_chars("board.proposal"))],
) -> Response:
    """Book the add-on on the day shown, at the chair and start shown, and tell the patient."""
    t = board_translator(request)
    try:
        placed = _checked_booking(work, principal, at, day, on, token, patient_id, treatment, earliest, schedule)
        added = book_add_on(work.db, principal.center_id, patient_id, treatment, on, placed, principal.user_id, at)
        work.db.flush()
    except (*REFUSED, IntegrityError):
        return conflict_response(request, work, principal, day, at, _day_changed(t, on))
    details = {"board_add_on": treatment, "day": on.isoformat(), "from_board_day": day.isoformat()}
    visit_changed(work, added, "booked", mail, at, details=details)
    return back_to(on, added.id)

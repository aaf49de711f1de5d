"""Re-planning the running day from the board: an add-on (a same-day visit) and a repair after an event
(a late arrival, a no-show, an infusion reaction, a nurse leaving early).

Each is two steps. The first asks the core (:func:`msinfusion.scheduling.addon.add_on`,
:func:`msinfusion.scheduling.repair.repair`) and shows the proposal with exactly what changes; nothing is
stored. The second stores the proposal shown, after checking it against the day as it is now: the day
must not have changed since (else 409), and the schedule must keep every rule and every promise the core
keeps (seated patients stay). Patients whose time changed are told through the outbox.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from msinfusion.db.add_on_booking import next_day
from msinfusion.db.live_day import DayChanged, LiveDay, NoLiveSchedule, add_on_visit, apply_plan, live_day
from msinfusion.db.models import Appointment
from msinfusion.limits import BrowserText, ClinicalDay, max_chars
from msinfusion.scheduling import Day, parse_schedule
from msinfusion.scheduling.addon import add_on
from msinfusion.scheduling.changes import schedule_changes
from msinfusion.scheduling.clock import format_clock, parse_clock
from msinfusion.scheduling.day import Fixed, with_catalog_phases
from msinfusion.scheduling.events import DayEvents, LateArrival, NoShow, parse_events
from msinfusion.scheduling.problems import DayProblem
from msinfusion.scheduling.repair import apply_events, repair
from msinfusion.scheduling.schedule import Schedule
from msinfusion.scheduling.validation import replan_violations, schedule_violations
from msinfusion.web.dependencies import Mail, Now, Principal
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views.board import change_rows, named, task_rows
from msinfusion.web.views.board_alternatives import alternative_views
from msinfusion.web.views.board_page import (
    back_to,
    board_response,
    board_translator,
    conflict_response,
    proposal_response,
    say,
)

router = APIRouter(prefix="/staff/board", include_in_schema=False)

REPAIR_SECONDS = 1.3
"""Time of a repair from the board, model building and checking included: the page is due within 2
seconds, and the route around it (loading the day, the page) takes up to 0.3 s more on a busy machine."""
ADD_ON_SECONDS = 0.6
"""Time of an add-on, alternatives and model building included: the page is due within a second, and the
route around it (loading the day, the page) takes up to 0.3 s more on a busy machine."""
EVENT_KINDS = ("late-arrival", "no-show", "reaction", "nurse-leaves")


def _seated_now(live: LiveDay, appointments: list[str]) -> int:
    """The repair's moment: now, or the promised start of a visit the event is about if that is earlier.

    A patient who is late or did not come is past their promised start by the time staff know; they
    are still not in a chair (only patients past "expected" on the board are fixed in place).
    """
    starts = [a.start for a in live.current.assignments if a.appointment in appointments]
    return min([live.now, *starts])


def repair_day(live: LiveDay, events: DayEvents) -> Day:
    """The day a repair starts from: a visit whose start passed before now keeps its chair and start,
    unless an event is about it (a late patient or a no-show), so nothing is moved into the past."""
    about = {e.appointment for e in events.events if isinstance(e, LateArrival | NoShow)}
    passed = {a.appointment: a for a in live.current.assignments if events.now <= a.start < live.now}
    return live.day.model_copy(
        update={
            "appointments": [
                a.model_copy(update={"fixed": Fixed(start=passed[a.id].start, chair=passed[a.id].chair)})
                if a.id in passed and a.id not in about and a.fixed is None
                else a
                for a in live.day.appointments
            ]
        }
    )


def _events(form: dict[str, str], live: LiveDay) -> dict[str, Any]:
    """The msinfusion.events/1 document of one event sent from the board form."""
    kind = form.get("kind", "")
    if kind not in EVENT_KINDS:
        raise DayProblem("kind", "choose what happened")
    if kind == "nurse-leaves":
        nurse = form.get("nurse", "")
        return {
            "now": live.now,
            "event": {"kind": kind, "nurse": nurse, "at": parse_clock(form.get("at") or format_clock(live.now))},
        }
    key = f"A{form.get('appointment_id', '')}"
    event: dict[str, Any] = {"kind": kind, "appointment": key}
    now = _seated_now(live, [key]) if kind in ("late-arrival", "no-show") else live.now
    if kind == "late-arrival":
        start = next((a.start for a in live.current.assignments if a.appointment == key), None)
        if start is None:
            raise DayProblem("appointment", "that visit is not on the schedule in force")
        late = int(form.get("minutes_late") or 0)
        if not 1 <= late <= 600:
            raise DayProblem("minutes_late", "give the minutes late, from 1 to 600")
        event["arrives"] = max(start + late, live.now)  # not here yet: they arrive now at the earliest
    if kind == "reaction":
        pause = int(form.get("pause_minutes") or -1)
        if not 0 <= pause <= 600:
            raise DayProblem("pause_minutes", "give the pause in minutes, from 0 to 600")
        event["at"] = parse_clock(form.get("at") or format_clock(live.now))
        event["pause_minutes"] = pause
    return {"now": now, "event": event}


@router.post("/repair")
def propose_repair(
    request: Request,
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("read", "appointment")],
    at: Now,
    day: Annotated[ClinicalDay, Form()],
    kind: Annotated[BrowserText, Form(max_length=16)],
    appointment_id: Annotated[BrowserText, Form(max_length=20)] = "",
    minutes_late: Annotated[BrowserText, Form(max_length=4)] = "",
    pause_minutes: Annotated[BrowserText, Form(max_length=4)] = "",
    nurse: Annotated[BrowserText, Form(max_length=max_chars("schedule.chair"))] = "",
    at_time: Annotated[BrowserText, Form(max_length=max_chars("schedule.start"))] = "",
) -> Response:
    """Record what happened and propose a repaired plan (nothing is stored yet)."""
    t = board_translator(request)
    form = {
        "kind": kind,
        "appointment_id": appointment_id,
        "minutes_late": minutes_late,
        "pause_minutes": pause_minutes,
        "nurse": nurse,
        "at": at_time,
    }
    try:
        live = live_day(work.db, principal.center_id, day, at)
        built = _events(form, live)
        events = parse_events(
            {"format": "msinfusion.events/1", "now": format_clock(built["now"]), "events": [built["event"]]}
        )
        result = repair(repair_day(live, events), live.current, events, time_limit=REPAIR_SECONDS)
    except (NoLiveSchedule, DayProblem, ValueError) as exc:
        message = say(t, "No repair was proposed: {reason}", reason=str(exc))
        return board_response(request, work, principal, day, at, error=message, status_code=422, form=form)
    for change in result.changes:
        _audit_read(work, change.appointment)
    context = {
        "rows": change_rows(result.changes, live.names),
        "notes": named(result.notes, live.names, t),
        "warnings": named(result.warnings, live.names, t),
        "seconds": result.seconds,
        "moved": result.moved_promises,
        "events_json": events.to_json(indent=None),
        "schedule_json": result.schedule.to_json(indent=None),
    }
    return proposal_response(request, live.day.center.date, live.token, "repair", context)


def _audit_read(work: UnitOfWork, key: str) -> None:
    if key.startswith("A") and key[1:].isdigit():
        row = work.db.get(Appointment, int(key[1:]))
        if row is not None:
            work.audit(object_id=row.id, patient_id=row.patient_id)


@router.post("/repair/confirm")
def confirm_repair(
    request: Request,
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("update", "appointment")],
    at: Now,
    mail: Mail,
    day: Annotated[ClinicalDay, Form()],
    token: Annotated[BrowserText, Form(max_length=max_chars("board.token"))],
    events: Annotated[BrowserText, Form(max_length=max_chars("board.events"))],
    schedule: Annotated[BrowserText, Form(max_length=max_chars("board.proposal"))],
) -> Response:
    """Store the repaired plan shown, if the day is still the one it was made from."""
    t = board_translator(request)
    try:
        live = live_day(work.db, principal.center_id, day, at)
        if live.token != token:
            raise DayChanged("the day changed")
        parsed = parse_events(events)
        applied = apply_events(with_catalog_phases(repair_day(live, parsed)), live.current, parsed)
        proposed = parse_schedule(schedule)
        problems = schedule_violations(applied.day, proposed) + replan_violations(
            live.current, proposed, parsed.now, dropped=applied.dropped
        )
        if problems:
            raise DayChanged("; ".join(problems[:3]))
        rows = apply_plan(
            work.db, principal.center_id, token, applied.day, proposed, at, mail, no_shows=applied.dropped
        )
    except (DayChanged, NoLiveSchedule, DayProblem, ValidationError):
        return conflict_response(
            request,
            work,
            principal,
            day,
            at,
            say(t, "The day changed after this proposal was made, so nothing was changed. Propose the repair again."),
        )
    changed = {c.appointment for c in schedule_changes(live.current, proposed)} | set(applied.dropped)
    for row in rows:
        if f"A{row.id}" in changed:
            work.audit(
                object_id=row.id,
                patient_id=row.patient_id,
                details={"board_repair": [e.kind for e in parsed.events], "status": row.status},
            )
    return back_to(day)


@router.post("/add-on")
def propose_add_on(
    request: Request,
    principal: Annotated[Principal, policy("nurse-center")],
    work: Annotated[UnitOfWork, audited("read", "appointment")],
    at: Now,
    day: Annotated[ClinicalDay, Form()],
    patient_id: Annotated[int, Form(ge=1, le=2**62)],
    treatment: Annotated[BrowserText, Form(max_length=max_chars("prescription.therapy_id"))],
    earliest: Annotated[BrowserText, Form(max_length=max_chars("schedule.start"))] = "",
) -> Response:
    """Place a same-day visit (nothing is stored yet): where and when, or what would have to give."""
    t = board_translator(request)
    form = {"patient_id": str(patient_id), "treatment": treatment, "earliest": earliest}
    try:
        live = live_day(work.db, principal.center_id, day, at)
        wanted = max(parse_clock(earliest) if earliest else live.now, live.now)
        visit = add_on_visit(work.db, principal.center_id, patient_id, treatment, wanted)
        following = next_day(work.db, principal.center_id, day, at)
        tomorrow = None if following is None else (following.day, following.schedule)
        result = add_on(live.day, live.current, visit, live.now, next_day=tomorrow, time_limit=ADD_ON_SECONDS)
    except (NoLiveSchedule, DayProblem, LookupError, ValueError) as exc:
        message = say(t, "No add-on was proposed: {reason}", reason=str(exc))
        return board_response(request, work, principal, day, at, error=message, status_code=422, form=form)
    work.audit(object_id=None, patient_id=patient_id)
    names = {**live.names, visit.id: next(n for i, n in _patients(work, principal) if i == patient_id)}
    placement = result.placement
    context = {
        "fits": result.fits,
        "reason": t.message(result.reason) if result.reason else None,
        "placement": placement,
        "start": format_clock(placement.start) if placement else None,
        "end": format_clock(placement.end) if placement else None,
        "tasks": task_rows(placement.nurse_tasks, t) if placement else [],
        "rows": change_rows([c for c in result.changes if c.appointment != visit.id], names),
        "alternatives": alternative_views(result.alternatives, live, visit, following, names, t),
        "patient": names[visit.id],
        "patient_id": patient_id,
        "treatment": treatment,
        "earliest": format_clock(wanted),
        "now": live.now,
        "seconds": result.seconds,
        "schedule_json": result.schedule.to_json(indent=None) if result.fits else "",
    }
    return proposal_response(request, live.day.center.date, live.token, "add-on", context)


def _patients(work: UnitOfWork, principal: Principal) -> list[tuple[int, str]]:
    from msinfusion.web.views.board import patient_choices

    return patient_choices(work.db, principal.center_id)


@router.post("/add-on/confirm")
def confirm_add_on(
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
    """Store the add-on shown, if the day is still the one it was made from."""
    t = board_translator(request)
    try:
        live = live_day(work.db, principal.center_id, day, at)
        if live.token != token or now > live.now:
            raise DayChanged("the day changed")
        visit = add_on_visit(work.db, principal.center_id, patient_id, treatment, max(parse_clock(earliest), now))
        extended = with_catalog_phases(live.day.model_copy(update={"appointments": [*live.day.appointments, visit]}))
        proposed: Schedule = parse_schedule(schedule)
        problems = schedule_violations(extended, proposed) + replan_violations(live.current, proposed, now, max_shift=0)
        if problems or visit.id not in {a.appointment for a in proposed.assignments}:
            raise DayChanged("; ".join(problems[:3]))
        rows = apply_plan(work.db, principal.center_id, token, extended, proposed, at, mail, add_on_patient=patient_id)
    except (DayChanged, NoLiveSchedule, DayProblem, LookupError, ValidationError, ValueError):
        return conflict_response(
            request,
            work,
            principal,
            day,
            at,
            say(t, "The day changed after this proposal was made, so nothing was changed. Propose the add-on again."),
        )
    added = max(rows, key=lambda r: r.id)
    work.audit(object_id=added.id, patient_id=patient_id, details={"board_add_on": treatment})
    return back_to(day, added.id)

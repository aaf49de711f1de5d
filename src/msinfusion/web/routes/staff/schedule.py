"""The staff day schedule: run the optimizer for a date in the background, watch its progress, see the
chairs and nurse load, and accept the schedule or move one visit before accepting it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from msinfusion.db import schedule_changes, schedule_jobs
from msinfusion.db.center_catalog import center_today
from msinfusion.db.database import reading
from msinfusion.db.day_builder import BuiltDay, DayClosed, build_day, row_id
from msinfusion.db.schedule_changes import ScheduleConflict
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.scheduling import load
from msinfusion.scheduling.clock import format_clock, parse_clock
from msinfusion.settings import Settings
from msinfusion.web import charts
from msinfusion.web.dependencies import (
    AppSettings,
    DbSession,
    Now,
    Principal,
    Runner,
)
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/staff/schedule", include_in_schema=False)

NOTICES = {
    "queued": "The optimizer is running. This page shows its progress; you can leave it and come back.",
    "already-running": "A run for this day was already under way, so no second run was started. Its progress is below.",
    "accepted": "Schedule accepted: chairs and start times are saved to the appointments.",
    "moved": "Visit moved. Accept the schedule to save the change to the appointments.",
}


def schedule_url(day: date, **extra: str) -> str:
    return "/staff/schedule?" + urlencode({"day": day.isoformat(), **extra})


def _owned_job(db: Session, job_id: int, principal: Principal) -> ScheduleJob:
    job = db.get(ScheduleJob, job_id)
    if job is None or job.center_id != principal.center_id:
        raise HTTPException(404, "Not found.")
    return job


def _result_context(job: ScheduleJob) -> dict[str, Any]:
    day, schedule = schedule_changes.day_and_schedule(job)
    visits = {a.id: a for a in day.appointments}
    placed = {a.appointment: a for a in schedule.assignments}
    options = [
        {
            "id": visit.id,
            "label": f"{visit.id} · {visit.patient} · {visit.treatment}"
            + (
                f" (now {placed[visit.id].chair} at {format_clock(placed[visit.id].start)})"
                if visit.id in placed
                else " (unscheduled)"
            ),
        }
        for visit in day.appointments
    ]
    return {
        "day_input": day,
        "schedule": schedule,
        "visits": visits,
        "chair_chart": charts.chair_gantt(day, schedule),
        "load_chart": charts.patient_load(day, schedule),
        "nurse_chart": charts.nurse_tasks(day, schedule),
        "legend": charts.phase_legend(),
        "hours": load.hourly_load(day, schedule),
        "nurse_loads": load.nurse_load(day, schedule),
        "move_options": options,
        "chairs": [chair.id for chair in day.center.chairs],
        "clock": format_clock,
    }


def _page(
    request: Request,
    db: Session,
    principal: Principal,
    day: date,
    at: datetime,
    settings: Settings,
    *,
    notice: str | None = None,
    error: str | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    built: BuiltDay | None = None
    closed: str | None = None
    try:
        built = build_day(db, principal.center_id, day)
    except DayClosed as exc:
        closed = str(exc)
    job = schedule_jobs.latest_job(db, principal.center_id, day)
    shown = job
    if job is not None and job.status != "done":
        # While a new run works (or after it failed), keep showing the last finished schedule.
        shown = schedule_jobs.latest_job(db, principal.center_id, day, status="done")
    context: dict[str, Any] = {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "built": built,
        "closed": closed,
        "job": schedule_jobs.status_of(job, at) if job else None,
        "shown": schedule_jobs.status_of(shown, at) if shown else None,
        "can_schedule": principal.role in ("scheduler", "admin"),
        "notice": NOTICES.get(notice or ""),
        "error": error,
        "problems": problems or [],
        "form": form or {},
        "time_limit": settings.solver_time_limit_seconds,
    }
    if shown is not None:
        context.update(_result_context(shown))
    return render(request, "staff/schedule.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def schedule_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    db: DbSession,
    at: Now,
    settings: AppSettings,
    day: Annotated[date | None, Query()] = None,
    notice: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    with reading(db):  # the page only reads; other requests keep writing meanwhile
        chosen = day or center_today(db, principal.center_id, at)
        return _page(request, db, principal, chosen, at, settings, notice=notice)


@router.post("/run")
def run_optimizer(
    request: Request,
    day: Annotated[date, Form()],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "schedule_run")],
    at: Now,
    settings: AppSettings,
    runner: Runner,
) -> Response:
    try:
        built = build_day(work.db, principal.center_id, day)
    except DayClosed as exc:
        return _page(request, work.db, principal, day, at, settings, error=str(exc), status_code=422)
    job, created = schedule_jobs.queue_run(
        work.db, built, principal.center_id, principal.user_id, at, settings.solver_time_limit_seconds
    )
    if created:
        work.audit(object_id=job.id, details={"day": day.isoformat()})
        work.after_commit(lambda: runner.submit(job.id))
    return RedirectResponse(schedule_url(day, notice="queued" if created else "already-running"), status_code=303)


@router.post("/accept")
def accept_schedule(
    request: Request,
    job_id: Annotated[int, Form()],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("update", "appointment")],
    at: Now,
    settings: AppSettings,
) -> Response:
    job = _owned_job(work.db, job_id, principal)
    day = job.day
    try:
        rows = schedule_changes.accept(work.db, job, principal.user_id, at)
    except ScheduleConflict as exc:
        work.discard()
        return _page(request, work.db, principal, day, at, settings, error=str(exc), status_code=409)
    for row in rows:
        work.audit(
            object_id=row.id,
            patient_id=row.patient_id,
            details={"schedule_run": job.id},
        )
    return RedirectResponse(schedule_url(day, notice="accepted"), status_code=303)


@router.post("/move")
def move_visit(
    request: Request,
    job_id: Annotated[int, Form()],
    appointment: Annotated[str, Form(max_length=32)],
    chair: Annotated[str, Form(max_length=32)],
    start: Annotated[str, Form(max_length=5)],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("update", "schedule_run")],
    at: Now,
    settings: AppSettings,
) -> Response:
    job = _owned_job(work.db, job_id, principal)
    day = job.day
    form = {"appointment": appointment, "chair": chair, "start": start}
    try:
        row_id(appointment)
        minutes = parse_clock(start.strip())
    except ValueError:
        return _page(
            request,
            work.db,
            principal,
            day,
            at,
            settings,
            status_code=422,
            form=form,
            error="Choose a visit and give the new start as hours and minutes, like 09:30.",
        )
    try:
        candidate, problems = schedule_changes.moved(job, appointment, chair, minutes)
    except ScheduleConflict as exc:
        return _page(request, work.db, principal, day, at, settings, error=str(exc), status_code=409, form=form)
    if problems:
        return _page(
            request,
            work.db,
            principal,
            day,
            at,
            settings,
            status_code=422,
            form=form,
            problems=problems,
            error="That move breaks the day's rules, so the schedule was not changed:",
        )
    schedule_changes.store_move(job, candidate)
    work.audit(
        object_id=job.id,
        details={"moved": appointment, "chair": chair, "start": format_clock(minutes)},
    )
    return RedirectResponse(schedule_url(day, notice="moved") + "#result", status_code=303)

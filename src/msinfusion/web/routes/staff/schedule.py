"""The staff day schedule: run the optimizer for a date in the background, watch its progress, see the
chairs and nurse load, and accept the schedule or move one visit before accepting it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db import day_schedule
from msinfusion.db.center_catalog import center_today
from msinfusion.db.center_planning import center_planning
from msinfusion.db.database import reading
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.i18n import N_
from msinfusion.limits import MAX_ROW_ID, BrowserText, ClinicalDay, max_chars
from msinfusion.scheduling.clock import format_clock, parse_clock
from msinfusion.settings import Settings
from msinfusion.web.dependencies import (
    AppSettings,
    DbSession,
    Mail,
    Now,
    Principal,
    Runner,
)
from msinfusion.web.pages import page_translator
from msinfusion.web.policies import policy
from msinfusion.web.problems import problem, wants_problem_json
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views import day_schedule as view

MINUTES_PER_DAY = 24 * 60
MAX_VERSION = 2**31 - 1

router = APIRouter(prefix="/staff/schedule", include_in_schema=False)


def schedule_url(day: date, **extra: str) -> str:
    return "/staff/schedule?" + urlencode({"day": day.isoformat(), **extra})


def _owned_run(db: Session, job_id: int, principal: Principal) -> ScheduleJob:
    job = db.get(ScheduleJob, job_id)
    if job is None or job.center_id != principal.center_id:
        raise HTTPException(404, "Not found.")
    return job


CHANGED_MEANWHILE = N_(
    "Another scheduler changed this schedule at the same moment, so your change was not saved. "
    "The schedule below is the current one; check it and make your change again."
)
BAD_START = N_("Choose a visit and give the new start as hours and minutes, like 09:30.")
PAST_MIDNIGHT = N_("That start is too late: the visit would end after midnight. Choose an earlier start.")
BREAKS_RULES = N_("That move breaks the day's rules, so the schedule was not changed:")


def _refused(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    day: date,
    at: datetime,
    settings: Settings,
    status_code: int,
    error: str,
    *,
    form: dict[str, str] | None = None,
    problems: list[str] | None = None,
) -> Response:
    """The one answer to a refused run, move or accept: nothing is saved, and the caller sees why.

    A browser gets the schedule page as it is now, with the error, the reasons and what it typed kept
    in the form; a client that asks for JSON (``Accept: application/problem+json``) gets the same
    status and words as problem+json, with the reasons and the newest run's version.
    """
    work.discard()
    if wants_problem_json(request):
        job = day_schedule.latest_job(work.db, principal.center_id, day)
        current = (
            {"day": day.isoformat(), "job_id": job.id, "version": job.version} if job else {"day": day.isoformat()}
        )
        return problem(status_code, error, problems=problems or [], current=current)
    return view.page(
        request, work.db, principal, day, at, settings, status_code=status_code, form=form, error=error,
        problems=problems,
    )  # fmt: skip


@router.get("", response_class=HTMLResponse)
def schedule_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    db: DbSession,
    at: Now,
    settings: AppSettings,
    day: Annotated[ClinicalDay | None, Query()] = None,
    notice: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    with reading(db):  # the page only reads; other requests keep writing meanwhile
        chosen = day or center_today(db, principal.center_id, at)
        return view.page(request, db, principal, chosen, at, settings, notice=notice)


@router.post("/run")
def run_optimizer(
    request: Request,
    day: Annotated[ClinicalDay, Form()],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "schedule_run")],
    at: Now,
    settings: AppSettings,
    runner: Runner,
) -> Response:
    try:
        basis = center_planning(work.db, principal.center_id, settings).duration_basis
        built = day_schedule.build_day(work.db, principal.center_id, day, basis)
    except day_schedule.DayClosed as exc:
        error = exc.in_language(page_translator(request))
        return _refused(request, work, principal, day, at, settings, 422, error)
    job, created = day_schedule.queue_run(
        work.db, built, principal.center_id, principal.user_id, at, settings.solver_time_limit_seconds
    )
    if created:
        work.audit(object_id=job.id, details={"day": day.isoformat()})
        run_id, center_id = job.id, principal.center_id
        work.after_commit(lambda: runner.submit(run_id, center_id, day))
    return RedirectResponse(schedule_url(day, notice="queued" if created else "already-running"), status_code=303)


@router.post("/cancel")
def cancel_optimizer_run(
    request: Request,
    day: Annotated[ClinicalDay, Form()],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("update", "schedule_run")],
    at: Now,
    settings: AppSettings,
    runner: Runner,
) -> Response:
    """Cancel the day's queued or running run; the day is then free for a new one."""
    job = day_schedule.active_run(work.db, principal.center_id, day, at)
    if job is None:
        return RedirectResponse(schedule_url(day), status_code=303)  # it ended meanwhile: show how
    day_schedule.cancel_run(work.db, job, at)
    work.db.flush()
    work.audit(object_id=job.id, details={"day": day.isoformat(), "cancelled": True})
    run_id, center_id = job.id, principal.center_id
    work.after_commit(lambda: runner.cancel(run_id, center_id, day))
    return RedirectResponse(schedule_url(day, notice="cancelled"), status_code=303)


@router.post("/accept")
def accept_schedule(
    request: Request,
    job_id: Annotated[int, Form(ge=1, le=MAX_ROW_ID)],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("update", "appointment")],
    at: Now,
    settings: AppSettings,
    mail: Mail,
    version: Annotated[int | None, Form(ge=1, le=MAX_VERSION)] = None,
) -> Response:
    job = _owned_run(work.db, job_id, principal)
    day = job.day
    if version is not None and version != job.version:
        return _refused(request, work, principal, day, at, settings, 409, CHANGED_MEANWHILE)
    before = day_schedule.current_starts(work.db, job)
    try:
        rows = day_schedule.accept(work.db, job, principal.user_id, at)
        work.db.flush()  # the run's version check: a move or accept stored at the same moment fails here
    except day_schedule.ScheduleConflict as exc:
        return _refused(request, work, principal, day, at, settings, 409, str(exc))
    except (StaleDataError, IntegrityError):
        return _refused(request, work, principal, day, at, settings, 409, CHANGED_MEANWHILE)
    day_schedule.notify_patients(work.db, rows, before, mail, at)  # same transaction as the new times
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
    job_id: Annotated[int, Form(ge=1, le=MAX_ROW_ID)],
    appointment: Annotated[BrowserText, Form(max_length=max_chars("schedule.appointment"))],
    chair: Annotated[BrowserText, Form(max_length=max_chars("schedule.chair"))],
    start: Annotated[BrowserText, Form(max_length=max_chars("schedule.start"))],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("update", "schedule_run")],
    at: Now,
    settings: AppSettings,
    version: Annotated[int | None, Form(ge=1, le=MAX_VERSION)] = None,
) -> Response:
    job = _owned_run(work.db, job_id, principal)
    day = job.day
    form = {"appointment": appointment, "chair": chair, "start": start}
    if version is not None and version != job.version:
        return _refused(request, work, principal, day, at, settings, 409, CHANGED_MEANWHILE, form=form)
    try:
        day_schedule.row_id(appointment)
        minutes = parse_clock(start.strip())
        if minutes >= MINUTES_PER_DAY:
            raise ValueError("a visit starts before midnight")
    except ValueError:
        return _refused(request, work, principal, day, at, settings, 422, BAD_START, form=form)
    try:
        candidate, problems = day_schedule.moved(job, appointment, chair, minutes)
    except day_schedule.ScheduleConflict as exc:
        return _refused(request, work, principal, day, at, settings, 409, str(exc), form=form)
    except ValidationError:  # the visit would run past midnight: a day schedule holds one day
        return _refused(request, work, principal, day, at, settings, 422, PAST_MIDNIGHT, form=form)
    if problems:
        return _refused(request, work, principal, day, at, settings, 422, BREAKS_RULES, form=form, problems=problems)
    day_schedule.store_move(job, candidate)
    try:
        work.db.flush()  # the run's version check: a move or accept stored at the same moment fails here
    except StaleDataError:
        return _refused(request, work, principal, day, at, settings, 409, CHANGED_MEANWHILE, form=form)
    work.audit(
        object_id=job.id,
        details={"moved": appointment, "chair": chair, "start": format_clock(minutes)},
    )
    return RedirectResponse(schedule_url(day, notice="moved") + "#result", status_code=303)

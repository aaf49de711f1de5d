"""The day schedule as JSON: start a run, poll its progress, read the schedule it produced."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from msinfusion.db.center_planning import center_planning
from msinfusion.db.day_schedule import (
    DayClosed,
    JobStatus,
    active_run,
    build_day,
    cancel_run,
    latest_job,
    queue_run,
    status_of,
)
from msinfusion.limits import ClinicalDay
from msinfusion.web.dependencies import (
    AppSettings,
    DbSession,
    Now,
    Principal,
    Runner,
)
from msinfusion.web.policies import policy
from msinfusion.web.problems import PROBLEM_RESPONSES
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/api/schedule", tags=["schedule"], responses=PROBLEM_RESPONSES)


class RunIn(BaseModel):
    """A request to schedule one day of the caller's center."""

    model_config = ConfigDict(extra="forbid")

    day: ClinicalDay


@router.get("/status", response_model=JobStatus)
def run_status(
    day: Annotated[ClinicalDay, Query()],
    principal: Annotated[Principal, policy("staff-center")],
    db: DbSession,
    at: Now,
) -> JobStatus:
    """The newest run of the day: queued, running (with the best schedule so far and the bound), done or failed."""
    job = latest_job(db, principal.center_id, day)
    if job is None:
        raise HTTPException(404, "No optimizer run for this day yet.")
    return status_of(job, at)


@router.get("", response_model=dict[str, Any])
def day_schedule(
    day: Annotated[ClinicalDay, Query()],
    principal: Annotated[Principal, policy("staff-center")],
    db: DbSession,
) -> dict[str, Any]:
    """The newest finished schedule of the day (``msinfusion.schedule/1``, with the scheduler's moves)."""
    job = latest_job(db, principal.center_id, day, status="done")
    if job is None or job.result is None:
        raise HTTPException(404, "No finished schedule for this day yet.")
    return job.result


@router.post("/runs", response_model=JobStatus, status_code=202, responses={200: {"model": JobStatus}})
def start_run(
    body: RunIn,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "schedule_run")],
    at: Now,
    settings: AppSettings,
    runner: Runner,
) -> Any:
    """Queue a run (202); if the day already has a run queued or running, return that one (200)."""
    try:
        basis = center_planning(work.db, principal.center_id, settings).duration_basis
        built = build_day(work.db, principal.center_id, body.day, basis)
    except DayClosed as exc:
        raise HTTPException(422, str(exc)) from None
    job, created = queue_run(
        work.db, built, principal.center_id, principal.user_id, at, settings.solver_time_limit_seconds
    )
    status = status_of(job, at)
    if created:
        work.audit(object_id=job.id, details={"day": body.day.isoformat()})
        run_id, center_id = job.id, principal.center_id
        work.after_commit(lambda: runner.submit(run_id, center_id, body.day))
        return status
    return JSONResponse(status.model_dump(mode="json"), status_code=200)


@router.post("/runs/cancel", response_model=JobStatus)
def cancel_day_run(
    body: RunIn,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("update", "schedule_run")],
    at: Now,
    runner: Runner,
) -> Any:
    """Cancel the day's queued or running run (409 when none is): it is stored as failed, cancelled, and
    the day is free for a new run; a worker still solving it drops its result."""
    job = active_run(work.db, principal.center_id, body.day, at)
    if job is None:
        raise HTTPException(409, "No run of this day is queued or running.")
    cancel_run(work.db, job, at)
    work.db.flush()
    work.audit(object_id=job.id, details={"day": body.day.isoformat(), "cancelled": True})
    run_id, center_id = job.id, principal.center_id
    work.after_commit(lambda: runner.cancel(run_id, center_id, body.day))
    return status_of(job, at)

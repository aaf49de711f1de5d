"""Patient pages: my plan, getting ready for the next visit (tasks to tick), the pre-infusion check, language.

Every page is built from :func:`msinfusion.db.patient_plan.load_plan`; the routes parse the form, store
what the patient did, and render. Text goes through the patient's language (``_`` in the templates).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from msinfusion.db.database import begin_read_only
from msinfusion.db.models import CheckAnswers, Patient
from msinfusion.db.patient_models import PreparationTick
from msinfusion.db.patient_plan import PatientPlan, load_plan
from msinfusion.i18n import LOCALES
from msinfusion.preparation import Stage, phase_name, stage_title
from msinfusion.screening import Outcome, assess, outcome_title
from msinfusion.web import audit_trail
from msinfusion.web.dependencies import Principal, db_session, now
from msinfusion.web.pages import render
from msinfusion.web.policies import policy

router = APIRouter(prefix="/patient", include_in_schema=False)

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def own_patient(db: Session, principal: Principal) -> Patient:
    """The signed-in patient's record (a patient account without one has nothing to show)."""
    patient = db.get(Patient, principal.patient_id) if principal.patient_id else None
    if patient is None:
        raise HTTPException(404, "Your care team has not set up your record yet.")
    return patient


def render_patient(
    request: Request, name: str, view: PatientPlan, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """Render a patient page in the patient's language, with the plan and the formatting helpers."""
    t = view.t
    request.state.locale = t.locale
    page: dict[str, Any] = {
        "_": t.gettext,
        "t": t,
        "view": view,
        "plan": view.plan,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LOCALES],
        "phase_name": lambda phase: phase_name(phase, t),
        "stage_title": lambda stage: stage_title(Stage(stage), t),
        "stages": list(Stage),  # in the order they happen
        "outcome_title": lambda outcome: outcome_title(Outcome(outcome) if outcome else None, t),
        "saved": request.query_params.get("saved"),
    }
    page.update(context or {})
    return render(request, name, page, status_code=status_code)


def _read(db: Session, request: Request, principal: Principal, patient: Patient, what: str) -> None:
    audit_trail.record(db, request, principal, "read", what, object_id=patient.id, patient_id=patient.id)
    db.commit()


@router.get("", response_class=HTMLResponse)
def plan_page(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    begin_read_only(db)  # reading the records takes no write lock; the audit entry is written after
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    db.commit()
    _read(db, request, principal, patient, "plan")
    return render_patient(request, "patient/plan.html", view)


@router.get("/prepare", response_class=HTMLResponse)
def prepare_page(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    _read(db, request, principal, patient, "preparation")
    return render_patient(request, "patient/prepare.html", view)


@router.post("/prepare")
def tick_task(
    request: Request,
    task_id: Annotated[str, Form(max_length=64)],
    done: Annotated[bool, Form()],
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    visit = view.next_visit
    if visit is None or task_id not in {task.id for task in visit.preparation.tasks}:
        raise HTTPException(422, view.t.gettext("That task is not part of your next visit."))
    set_tick(db, patient.id, visit.uid, task_id, done, at)
    audit_trail.record(
        db, request, principal, "update", "preparation_tick", object_id=patient.id, patient_id=patient.id,
        details={"task": task_id, "done": done},
    )  # fmt: skip
    db.commit()
    return RedirectResponse(f"/patient/prepare#task-{task_id}", status_code=303)


def set_tick(db: Session, patient_id: int, visit_uid: str, task_id: str, done: bool, at: datetime) -> None:
    """Tick a task off, or untick it (ticking twice is harmless)."""
    exists = db.scalar(
        select(PreparationTick.id).where(
            PreparationTick.patient_id == patient_id,
            PreparationTick.visit_uid == visit_uid,
            PreparationTick.task_id == task_id,
        )
    )
    if done and exists is None:
        db.add(PreparationTick(patient_id=patient_id, visit_uid=visit_uid, task_id=task_id, ticked_at=at))
    elif not done and exists is not None:
        db.execute(delete(PreparationTick).where(PreparationTick.id == exists))
    db.flush()


@router.get("/check", response_class=HTMLResponse)
def check_page(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    _read(db, request, principal, patient, "check_answers")
    return render_patient(request, "patient/check.html", view, {"answers": None, "missing": []})


def save_check(
    db: Session, view: PatientPlan, answers: dict[str, bool], at: datetime
) -> tuple[CheckAnswers | None, list[str]]:
    """Assess and store complete answers for the next visit; returns the row, or the unanswered ids."""
    visit = view.next_visit
    assert view.plan is not None and visit is not None
    result = assess(view.plan.therapy_id, visit.number, answers, view.center, view.t)
    if result.unanswered:
        return None, list(result.unanswered)
    appointment = view.appointment_for(visit)
    row = CheckAnswers(
        patient_id=view.patient.id,
        appointment_id=appointment.id if appointment else None,
        answers=dict(answers),
        outcome=(result.outcome or Outcome.PROCEED).value,
        submitted_at=at,
    )
    db.add(row)
    db.flush()
    return row, []


@router.post("/check", response_class=HTMLResponse)
async def send_check(
    request: Request,
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    form = await request.form()
    patient = own_patient(db, principal)
    view = load_plan(db, patient, at)
    if view.plan is None or view.next_visit is None or view.plan.check is None:
        raise HTTPException(422, view.t.gettext("There is no visit to check for yet."))
    asked = [q.id for q in view.plan.check.questions]
    answers = {q: form.get(f"q-{q}") == "yes" for q in asked if form.get(f"q-{q}") in ("yes", "no")}
    row, missing = save_check(db, view, answers, at)
    if row is None:
        db.rollback()
        context = {"answers": answers, "missing": missing}
        return render_patient(request, "patient/check.html", view, context, status_code=422)
    audit_trail.record(
        db, request, principal, "create", "check_answers", object_id=row.id, patient_id=patient.id,
        details={"outcome": row.outcome},
    )  # fmt: skip
    db.commit()
    return RedirectResponse("/patient/check?saved=check#result", status_code=303)


@router.post("/language")
def choose_language(
    request: Request,
    locale: Annotated[str, Form(max_length=8)],
    back: Annotated[str, Form(max_length=200)] = "/patient",
    principal: Principal = policy("patient-self"),
    db: Session = Depends(db_session),
) -> Response:
    patient = own_patient(db, principal)
    if locale not in LOCALES:
        raise HTTPException(422, "Choose English or Español.")
    patient.locale = locale
    audit_trail.record(db, request, principal, "update", "patient_locale", object_id=patient.id, patient_id=patient.id)
    db.commit()
    own_page = back == "/patient" or back.startswith("/patient/")
    target = back if own_page and "//" not in back and "\\" not in back else "/patient"
    return RedirectResponse(target, status_code=303)

"""Patient pages: my plan, getting ready for the next visit (tasks to tick), the pre-infusion check, language.

Every page is built from :func:`msinfusion.db.patient_plan.load_plan`; the routes parse the form, store
what the patient did, and render. Text goes through the patient's language (``_`` in the templates).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion.db.bookings_requests import latest_by_appointment
from msinfusion.db.patient_plan import load_plan, save_check, set_tick
from msinfusion.i18n import LOCALES
from msinfusion.limits import BrowserText, max_chars
from msinfusion.outbox.producers import enqueue_check_notice
from msinfusion.preparation import Stage
from msinfusion.web.dependencies import (
    Mail,
    Now,
    Principal,
    own_patient,
)
from msinfusion.web.pages import render_patient
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/patient", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def plan_page(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "plan")],
    at: Now,
    mail: Mail,
) -> Response:
    with work.reading() as db:  # reading the records takes no write lock; the audit entry is written after
        patient = own_patient(db, principal)
        view = load_plan(db, patient, at, quiet_hours=mail.quiet_hours)
        asked = latest_by_appointment(db, patient.id)  # change requests and what the center decided
    work.audit(object_id=patient.id, patient_id=patient.id)
    return render_patient(request, "patient/plan.html", view, {"change_requests": asked})


@router.get("/prepare", response_class=HTMLResponse)
def prepare_page(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "preparation")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    work.audit(object_id=patient.id, patient_id=patient.id)
    stage = request.query_params.get("stage")
    context = {
        "today": at.astimezone(view.center.zone).date(),
        "shown_stage": stage if stage in {s.value for s in Stage} else None,  # the stage just changed stays open
        "ngettext": view.t.ngettext,
    }
    return render_patient(request, "patient/prepare.html", view, context)


@router.post("/prepare")
def tick_task(
    task_id: Annotated[BrowserText, Form(max_length=max_chars("preparation.task_id"))],
    done: Annotated[bool, Form()],
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("update", "preparation_tick")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    visit = view.next_visit
    if visit is None or task_id not in {task.id for task in visit.preparation.tasks}:
        raise HTTPException(422, view.t.gettext("That task is not part of your next visit."))
    set_tick(work.db, patient.id, visit.uid, task_id, done, at)
    work.audit(object_id=patient.id, patient_id=patient.id, details={"task": task_id, "done": done})
    stage = next(task.stage for task in visit.preparation.tasks if task.id == task_id)
    return RedirectResponse(f"/patient/prepare?stage={stage.value}#task-{task_id}", status_code=303)


@router.get("/check", response_class=HTMLResponse)
def check_page(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "check_answers")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    work.audit(object_id=patient.id, patient_id=patient.id)
    return render_patient(request, "patient/check.html", view, {"answers": None, "missing": []})


@router.post("/check", response_class=HTMLResponse)
async def send_check(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("create", "check_answers")],
    at: Now,
    mail: Mail,
) -> Response:
    form = await request.form()
    patient = own_patient(work.db, principal)
    view = load_plan(work.db, patient, at)
    if view.plan is None or view.next_visit is None or view.plan.check is None:
        raise HTTPException(422, view.t.gettext("There is no visit to check for yet."))
    asked = [q.id for q in view.plan.check.questions]
    answers = {q: form.get(f"q-{q}") == "yes" for q in asked if form.get(f"q-{q}") in ("yes", "no")}
    row, missing = save_check(work.db, view, answers, at)
    if row is None:
        work.discard()
        context = {"answers": answers, "missing": missing}
        return render_patient(request, "patient/check.html", view, context, status_code=422)
    enqueue_check_notice(work.db, row, mail, at)  # answers that need a call: tell the center, same transaction
    work.audit(object_id=row.id, patient_id=patient.id, details={"outcome": row.outcome})
    return RedirectResponse("/patient/check?saved=check#result", status_code=303)


@router.post("/language")
def choose_language(
    locale: Annotated[BrowserText, Form(max_length=max_chars("form.locale"))],
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("update", "patient_locale")],
    back: Annotated[BrowserText, Form(max_length=max_chars("form.back"))] = "/patient",
) -> Response:
    patient = own_patient(work.db, principal)
    if locale not in LOCALES:
        raise HTTPException(422, "Choose English or Español.")
    patient.locale = locale
    work.audit(object_id=patient.id, patient_id=patient.id)
    return RedirectResponse(back if _own_page(back) else "/patient", status_code=303)


def _own_page(back: str) -> bool:
    """Only the patient's own pages: never another site or another area of the app."""
    own_page = back == "/patient" or back.startswith("/patient/")
    return own_page and "//" not in back and "\\" not in back

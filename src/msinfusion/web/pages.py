"""Rendering pages: the Jinja2 environment, the context every page gets, and patient pages in their language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from msinfusion import limits
from msinfusion.db.patient_plan import PatientPlan
from msinfusion.i18n import LOCALES
from msinfusion.preparation import Stage, phase_name, stage_title
from msinfusion.screening import Outcome, outcome_title
from msinfusion.web import csrf
from msinfusion.web.dependencies import app_settings, templates

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def untranslated(message: str) -> str:
    """The template ``_`` for pages that are not translated yet (staff pages): the English text itself."""
    return message


def make_templates() -> Jinja2Templates:
    """Templates with autoescaping on (Jinja2Templates' default for .html)."""
    made = Jinja2Templates(directory=TEMPLATES_DIR)
    made.env.globals["csrf_field"] = csrf.FORM_FIELD
    made.env.globals["max_chars"] = limits.max_chars  # maxlength attributes come from the limits table
    return made


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render template ``name`` with the page basics: principal, CSRF token, language."""
    settings = app_settings(request)
    principal = getattr(request.state, "principal", None)
    page: dict[str, Any] = {
        "principal": principal,
        "csrf_token": csrf.expected_token(request),
        "lang": getattr(request.state, "locale", settings.default_locale),
    }
    page.update(context or {})
    return templates(request).TemplateResponse(request, name, page, status_code=status_code)


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


def safe_next(target: str) -> str:
    """Only local paths: never another site (open redirect) or a scheme-relative URL."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"

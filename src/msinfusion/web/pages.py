"""Rendering pages: the Jinja2 environment, the context every page gets, and patient pages in their language."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from msinfusion import limits
from msinfusion.db.patient_plan import PatientPlan
from msinfusion.i18n import LOCALES, Translator, translator
from msinfusion.preparation import Stage, phase_name, stage_title
from msinfusion.screening import Outcome, outcome_title
from msinfusion.visits import treatment_name
from msinfusion.web import code_names, csrf
from msinfusion.web.code_names import code_namer
from msinfusion.web.dependencies import app_settings, templates
from msinfusion.web.phone_links import linked_phones

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
LANGUAGE_COOKIE = "msi_lang"


def untranslated(message: str) -> str:
    """The template ``_`` for pages that are not translated yet (staff pages): the English text itself."""
    return message


def make_templates() -> Jinja2Templates:
    """Templates with autoescaping on (Jinja2Templates' default for .html)."""
    made = Jinja2Templates(directory=TEMPLATES_DIR)
    made.env.globals["csrf_field"] = csrf.FORM_FIELD
    made.env.globals["max_chars"] = limits.max_chars  # maxlength attributes come from the limits table
    made.env.globals["treatment_name"] = treatment_name  # staff pages name treatments, never show codes
    made.env.filters["tel_links"] = linked_phones  # phone numbers inside texts become tap-to-call links
    return made


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render template ``name`` with the page basics: principal, CSRF token, language."""
    principal = getattr(request.state, "principal", None)
    page: dict[str, Any] = {
        "principal": principal,
        "csrf_token": csrf.expected_token(request),
    }
    if "_" not in (context or {}):  # pages without their own language: the account's, else the browser's
        t = page_translator(request)
        request.state.locale = t.locale
        page.update({"_": t.gettext, "t": t, "languages": [(code, LANGUAGE_NAMES[code]) for code in LOCALES]})
    page["lang"] = request.state.locale
    page.update(context or {})
    t = page.get("t") or translator(str(page["lang"]))  # a page that brought its own `_` and no `t`
    page.setdefault("treatment_name", functools.partial(treatment_name, t=t))  # staff pages: in this language
    page.setdefault("ngettext", t.ngettext)
    for helper, names in (
        ("role_name", code_names.ROLE_NAMES),
        ("state_name", code_names.MESSAGE_STATES),
        ("route_name", code_names.ROUTES),
        ("fact_status_name", code_names.FACT_STATUSES),
        ("outcome_name", code_names.CHECK_OUTCOMES),
    ):
        page.setdefault(helper, code_namer(names, t))
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
        "phone_region": view.center.address.country,  # numbers in texts without + are the center's
    }
    page.update(context or {})
    return render(request, name, page, status_code=status_code)


def safe_next(target: str) -> str:
    """Only local paths: never another site (open redirect) or a scheme-relative URL."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def browser_locale(request: Request) -> str:
    """The language before sign-in: the visible switch's cookie, else the browser's Accept-Language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LOCALES:
        return str(chosen)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(request.headers.get("accept-language", "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in LOCALES and weight > 0:
            ranked.append((-weight, position, language))
    if ranked:
        return min(ranked)[2]
    default = app_settings(request).default_locale
    return default if default in LOCALES else LOCALES[0]


def page_locale(request: Request) -> str:
    """The language of a page: the account's own choice once signed in, else the browser's."""
    principal = getattr(request.state, "principal", None)
    if principal is not None and principal.locale in LOCALES:
        return str(principal.locale)
    return browser_locale(request)


def page_translator(request: Request) -> Translator:
    """A translator in :func:`page_locale`: what a view uses for the words it builds in Python."""
    return translator(page_locale(request))


def render_translated(
    request: Request, name: str, t: Translator, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page that is not about a plan (sign-in, errors, e-mail links) in the language of ``t``."""
    request.state.locale = t.locale
    page: dict[str, Any] = {
        "_": t.gettext,
        "t": t,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LOCALES],
    }
    page.update(context or {})
    return render(request, name, page, status_code=status_code)


def browser_translator(request: Request) -> Translator:
    """A translator in :func:`browser_locale`."""
    return translator(browser_locale(request))

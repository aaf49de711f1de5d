"""Rendering pages: the Jinja2 environment and the context every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from msinfusion.settings import Settings
from msinfusion.web import csrf

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def untranslated(message: str) -> str:
    """The template ``_`` for pages that are not translated yet (staff pages): the English text itself."""
    return message


def make_templates() -> Jinja2Templates:
    """Templates with autoescaping on (Jinja2Templates' default for .html)."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.globals["csrf_field"] = csrf.FORM_FIELD
    return templates


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render template ``name`` with the page basics: principal, CSRF token, language."""
    settings: Settings = request.app.state.settings
    templates: Jinja2Templates = request.app.state.templates
    principal = getattr(request.state, "principal", None)
    page: dict[str, Any] = {
        "principal": principal,
        "csrf_token": csrf.expected_token(request),
        "lang": getattr(request.state, "locale", settings.default_locale),
    }
    page.update(context or {})
    return templates.TemplateResponse(request, name, page, status_code=status_code)

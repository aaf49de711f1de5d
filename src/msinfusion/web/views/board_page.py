"""The day board page: its cards, the compact view by chair and the nurses' forms, in the board's language
(the visible switch, else the browser's). Shared by the board's route modules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from msinfusion.board import MARK_WORDS, TIME_WORDS, by_chair
from msinfusion.db import board
from msinfusion.db.live_day import NoLiveSchedule, live_day
from msinfusion.i18n import LOCALES, Translator, translator
from msinfusion.scheduling.problems import DayProblem
from msinfusion.web.dependencies import Principal
from msinfusion.web.pages import LANGUAGE_NAMES, browser_locale, render
from msinfusion.web.unit_of_work import AuditEvent, UnitOfWork
from msinfusion.web.views.board import (
    ALTERNATIVE_WORDS,
    EVENT_WORDS,
    event_choices,
    patient_choices,
    treatment_choices,
)
from msinfusion.web.views.bookings import day_exceptions

READ_APPOINTMENT = AuditEvent("read", "appointment")


def local(instant: datetime | None, zone: ZoneInfo) -> str:
    """``HH:MM`` in the center's time zone, or an en dash."""
    return instant.astimezone(zone).strftime("%H:%M") if instant else "–"


def board_translator(request: Request) -> Translator:
    """The board's language: the visible switch, else the browser's."""
    return translator(browser_locale(request))


def say(t: Translator, text: str, **values: str) -> str:
    """A message in the board's language, its placeholders filled."""
    return t.gettext(text).format(**values)


def language_context(request: Request) -> dict[str, Any]:
    """What a board page needs to speak the board's language (and offer the switch)."""
    t = board_translator(request)
    request.state.locale = t.locale
    return {
        "_": t.gettext,
        "ngettext": t.ngettext,
        "t": t,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LOCALES],
    }


def board_response(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    day: date,
    at: datetime,
    *,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    """The board of ``day`` (with an error above the cards, and the add-on and event forms as sent)."""
    zone = board.center_zone(work.db, principal.center_id)
    rows = board.board_rows(work.db, principal.center_id, day)
    for row in rows:
        work.audit(object_id=row.appointment_id, patient_id=row.patient_id, event=READ_APPOINTMENT)
    try:
        live = live_day(work.db, principal.center_id, day, at)
        replan_note, nurses = None, list(live.nurses)
    except (NoLiveSchedule, DayProblem) as exc:
        replan_note, nurses = str(exc), []
    context = {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "rows": rows,
        "lanes": by_chair(rows),
        "time": lambda instant: local(instant, zone),
        "now": local(at, zone),
        "error": error,
        "replan_note": replan_note,
        "nurses": nurses,
        "patients": patient_choices(work.db, principal.center_id),
        "treatments": treatment_choices(board_translator(request)),
        "visits": event_choices(rows),
        "form": form or {},
        "mark_words": MARK_WORDS,
        "event_words": EVENT_WORDS,
        "time_words": TIME_WORDS,
        "label_exceptions": day_exceptions(work.db, principal.center_id, day),  # views/bookings.py
        **language_context(request),
    }
    return render(request, "staff/board.html", context, status_code=status_code)


def back_to(day: date, appointment_id: int | None = None) -> RedirectResponse:
    """See the board of ``day`` again (at the card of ``appointment_id``)."""
    query = urlencode({"day": day.isoformat()})
    anchor = f"#appointment-{appointment_id}" if appointment_id is not None else ""
    return RedirectResponse(f"/staff/board?{query}{anchor}", status_code=303)


def proposal_response(
    request: Request,
    day: date,
    token: str,
    kind: str,
    context: dict[str, Any],
    template: str = "staff/board_proposal.html",
) -> Response:
    """A re-planning proposal of ``day`` (nothing stored yet), carrying the token of the day it was made from."""
    page = {
        "kind": kind,
        "alternative_words": ALTERNATIVE_WORDS,
        "day": day,
        "token": token,
        **context,
        **language_context(request),
    }
    return render(request, template, page)


def conflict_response(
    request: Request, work: UnitOfWork, principal: Principal, day: date, at: datetime, message: str
) -> Response:
    """Nothing written (the unit of work is discarded): the board of ``day`` with ``message``, as a 409."""
    work.discard()
    return board_response(request, work, principal, day, at, error=message, status_code=409)

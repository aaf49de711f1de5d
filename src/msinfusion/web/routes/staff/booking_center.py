"""The center's booking side for staff: the months at a glance (booked chair-hours against capacity) and,
for admins, the center editor: weekday hours, nurse shifts, chairs and features, closed days, headroom,
how far ahead the engine books and how the center plans its days (durations basis, what-if rates). A save
is all or nothing: a wrong field is 422 naming it, a stale page 409; the change is versioned and audited.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db import bookings, center_load
from msinfusion.db.bookings_center import (
    NEW_ROWS,
    CenterEdit,
    CenterProblem,
    center_form,
    parse_center_form,
    save_center,
)
from msinfusion.db.center_catalog import center_today
from msinfusion.limits import ClinicalDay, max_chars
from msinfusion.settings import Settings
from msinfusion.web.dependencies import AppSettings, Now, Principal
from msinfusion.web.pages import page_translator, render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views import center_load as load_view

router = APIRouter(prefix="/staff", include_in_schema=False)


LOAD_MONTHS = 3


@router.get("/load", response_class=HTMLResponse)
def load_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("read", "center_load")],
    at: Now,
    settings: AppSettings,
    start: Annotated[ClinicalDay | None, Query()] = None,
) -> Response:
    today = center_today(work.db, principal.center_id, at)
    first = (start or today).replace(day=1)
    last = _add_months(first, LOAD_MONTHS) - timedelta(days=1)
    load = center_load.center_load(work.db, principal.center_id, first, last, today, settings.jurisdiction)
    work.audit(object_id=principal.center_id, details={"first": first.isoformat(), "last": last.isoformat()})
    context = {
        "first": first,
        "last": last,
        "previous": _add_months(first, -LOAD_MONTHS),
        "following": _add_months(first, LOAD_MONTHS),
        "load": load,
        "months": load_view.months(load),
        "level": load_view.level,
        "hours": load_view.hours,
        "headroom": round(bookings.center_fields(work.db, principal.center_id)["headroom"] * 100),
    }
    return render(request, "staff/booking_load.html", context)


def _add_months(day: date, count: int) -> date:
    month = day.month - 1 + count
    return date(day.year + month // 12, month % 12 + 1, 1)


def _editor_page(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    at: datetime,
    settings: Settings,
    error: CenterProblem | str | None = None,
    status_code: int = 200,
) -> Response:
    today = center_today(work.db, principal.center_id, at)
    # A problem's message keeps its id (a core Message): the page shows it in the reader's language.
    message = error.args[0] if isinstance(error, CenterProblem) else error
    context = {
        **center_form(work.db, principal.center_id, settings),
        "new_rows": NEW_ROWS,
        "on_closed_days": bookings.visits_on_closed_days(work.db, principal.center_id, today),
        "error": page_translator(request).message(message) if message else None,
        "error_field": error.field if isinstance(error, CenterProblem) else None,
        "saved": request.query_params.get("saved"),
        "limit": max_chars("booking.closures"),
    }
    return render(request, "staff/booking_settings.html", context, status_code=status_code)


@router.get("/center/booking", response_class=HTMLResponse)
def booking_settings_page(
    request: Request,
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("read", "center_booking_settings")],
    at: Now,
    settings: AppSettings,
) -> Response:
    work.audit(object_id=principal.center_id)
    return _editor_page(request, work, principal, at, settings)


def _summary(edit: CenterEdit) -> dict[str, object]:
    return {
        "open_days": sum(1 for h in edit.hours.values() if h is not None),
        "nurses": [n.code for n in edit.nurses if not n.remove],
        "chairs": [c.code for c in edit.chairs if not c.remove],
        "closures": len(edit.closures),
        "headroom": edit.headroom,
        "horizon_days": edit.horizon_days,
        "duration_basis": edit.duration_basis,  # None: the app setting
        "no_show_rate": edit.no_show_rate,
        "add_on_rate": edit.add_on_rate,
    }


@router.post("/center/booking")
async def save_booking_settings(
    request: Request,
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("update", "center_booking_settings")],
    at: Now,
    settings: AppSettings,
) -> Response:
    """Save the whole center at once; the first wrong field is named (422) and nothing is written."""
    form = await request.form(max_fields=400)
    fields = {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= max_chars("booking.closures")}
    days = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form if k.endswith("-days")}
    raw_version = fields.get("version", "")
    return _save(request, work, principal, at, settings, fields, days, raw_version)


def _save(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    at: datetime,
    settings: Settings,
    fields: dict[str, str],
    days: dict[str, list[str]],
    raw_version: str,
) -> Response:
    if not raw_version.isdigit():
        return _editor_page(
            request, work, principal, at, settings, CenterProblem("version", "Open the page again."), 422
        )
    try:
        edit = parse_center_form(fields, days)
        save_center(work.db, principal.center_id, edit, int(raw_version), principal.user_id, at)
    except CenterProblem as exc:
        work.discard()
        return _editor_page(request, work, principal, at, settings, exc, 422)
    except (bookings.BookingConflict, StaleDataError) as exc:
        work.discard()
        message = str(exc) if isinstance(exc, bookings.BookingConflict) else "The center was changed meanwhile."
        return _editor_page(request, work, principal, at, settings, message, 409)
    work.audit(object_id=principal.center_id, details=_summary(edit))
    return RedirectResponse("/staff/center/booking?saved=1", status_code=303)

"""The one pattern of every visit change for staff: check the row's version, let the engine and the label
rules decide, refuse with 422 (the rule, named) or 409 (stale, or a chair taken meanwhile) writing nothing,
else audit and queue the patient's notice in the same transaction. Booking routes share it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db.models import Appointment
from msinfusion.i18n import translator
from msinfusion.outbox.config import MailConfig
from msinfusion.outbox.producers import enqueue_visit_notice
from msinfusion.prescriptions import RecordProblem
from msinfusion.reminders.messages import VisitChange
from msinfusion.web.pages import page_locale, render
from msinfusion.web.unit_of_work import UnitOfWork


def _(message: str) -> str:
    """Mark ``message`` for the Spanish catalog; the page translates it when it shows it."""
    return message


CHOOSE_OPTION = _("Choose one of the suggested times.")
CHOOSE_PLACE = _("Choose a suggested time, or give a date, a start and a chair.")


def problem(request: Request, work: UnitOfWork, message: str, back: str, status_code: int = 422) -> Response:
    work.discard()
    context = {"message": translator(page_locale(request)).message(message), "back": back}
    return render(request, "staff/booking_problem.html", context, status_code=status_code)


def refusal(exc: RecordProblem) -> str:
    """The refusal's sentence, still a core :class:`~msinfusion.i18n.Message` when it was raised with one."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, str) else str(exc)


CHAIR_TAKEN = _("That chair is taken at that time. Choose another.")
CHANGED = _("This visit changed since you opened the page. Open it again and check.")
MAX_VERSION = 2**31 - 1


def change_visit(
    request: Request,
    work: UnitOfWork,
    back: str,
    step: Callable[[], Appointment],
    *,
    version: int | None = None,
    current: Appointment | None = None,
) -> Appointment | Response:
    """Run one visit change: a stale ``version`` is 409; a broken rule 422 (named); a chair taken meanwhile 409.

    Nothing is written on a refusal (the unit of work is discarded).
    """
    if current is not None and version is not None and version != current.version:
        return problem(request, work, CHANGED, back, 409)
    try:
        changed = step()
        work.db.flush()  # the row's version check and the no-double-booking constraints answer here
    except RecordProblem as exc:
        return problem(request, work, refusal(exc), back)
    except IntegrityError:
        return problem(request, work, CHAIR_TAKEN, back, 409)
    except StaleDataError:
        return problem(request, work, CHANGED, back, 409)
    return changed


def visit_changed(
    work: UnitOfWork,
    appointment: Appointment,
    change: VisitChange,
    mail: MailConfig,
    at: datetime,
    *,
    details: dict[str, Any] | None = None,
    previous_start: datetime | None = None,
) -> None:
    """Audit a visit change and queue the patient's notice, both in the change's own transaction."""
    queued = enqueue_visit_notice(work.db, appointment, change, mail, at, previous_start=previous_start)
    work.audit(
        object_id=appointment.id,
        patient_id=appointment.patient_id,
        details={**(details or {}), "notice": bool(queued)},
    )

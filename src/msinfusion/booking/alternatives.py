"""Alternatives for one visit: the engine's best date, start and chair, then the next best, and so on.

The first option is :func:`~msinfusion.booking.book`'s booking of the dose. Each further option comes
from :func:`~msinfusion.booking.rebooking.rebook` with a :class:`CancelledVisit` event for the option
just found: the rebooking core marks that date as one the patient cannot come and books the dose again
(label rules hard, the other visits fixed, the patient's preferences met where the rules allow). It
stops when the dose cannot be booked again on a new date. Options on a date the patient said they cannot
come are dropped: a request from the patient is a hard limit here, not a preference.
"""

from __future__ import annotations

from msinfusion.booking.plan import Booking
from msinfusion.booking.planner import book
from msinfusion.booking.rebooking import CancelledVisit, rebook
from msinfusion.booking.request import BookingRequest

__all__ = ["alternatives"]


def alternatives(
    request: BookingRequest, patient: str, dose: int, count: int = 3, *, time_limit: float = 2.0
) -> list[Booking]:
    """Up to ``count`` bookings of ``patient``'s dose ``dose``, each on another date, best first."""
    plan = book(request, time_limit=time_limit)
    wanted = request.patient(patient).preferences
    unavailable = set(wanted.unavailable) if wanted else set()
    options: list[Booking] = []
    seen: set[object] = set()
    for _ in range(count + len(unavailable) + 1):
        found = next((b for b in plan.bookings if (b.patient, b.dose) == (patient, dose)), None)
        if found is None or found.date in seen:
            break
        seen.add(found.date)
        if found.date not in unavailable:
            options.append(found)
            if len(options) >= count:
                break
        step = rebook(request, plan, CancelledVisit(patient=patient, dose=dose))
        request, plan = step.request, step.plan
    return options

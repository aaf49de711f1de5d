"""Matching a patient's booked appointments to the doses of their plan: by dose number first, then by day."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Protocol, TypeVar

from msinfusion.plan import VisitPlan


class Booking(Protocol):
    """A booked visit as matching needs it: the dose it was booked for, if known, and its day."""

    @property
    def dose_index(self) -> int | None: ...
    @property
    def day(self) -> datetime.date: ...


BookingT = TypeVar("BookingT", bound=Booking)


def match_bookings(visits: Sequence[VisitPlan], bookings: Sequence[BookingT]) -> dict[int, BookingT]:
    """Dose number -> booking: by the booking's dose number, else by its day (within the dose's window).

    Bookings are matched in the order given; each dose takes at most one.
    """
    numbers = {v.number for v in visits}
    matched: dict[int, BookingT] = {}
    for booking in bookings:
        if booking.dose_index in numbers and booking.dose_index not in matched:
            matched[booking.dose_index] = booking
            continue
        for visit in visits:
            if visit.number in matched:
                continue
            if visit.date == booking.day or visit.window_start <= booking.day <= visit.window_end:
                matched[visit.number] = booking
                break
    return matched

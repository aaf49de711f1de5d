"""Regimen booking: months of doses for a whole center onto days, starts and chairs.

Reads and writes `shared/formats/regimen-booking.md`. :func:`book` returns a plan only after the
solver-free validator (:func:`check_plan`) has accepted it; :func:`rebook` applies one event (a late,
refused or missed dose, a cancelled visit, a new closure, a new patient) and moves only what it must.
"""

from __future__ import annotations

from msinfusion.booking.plan import (
    Booking,
    BookingPlan,
    ChairMinutes,
    DateSpan,
    DaySchedule,
    Moves,
    Summary,
    Unbooked,
    parse_plan,
)
from msinfusion.booking.planner import BookingProgress, book, naive_plan, relaxation_bound
from msinfusion.booking.request import (
    BookingCenter,
    BookingProblem,
    BookingRequest,
    ExistingVisit,
    Horizon,
    OpenDay,
    Patient,
    Preferences,
    Week,
    parse_request,
)
from msinfusion.booking.validation import InvalidPlan, check_plan, plan_violations

__all__ = [
    "Booking",
    "BookingCenter",
    "BookingPlan",
    "BookingProblem",
    "BookingProgress",
    "BookingRequest",
    "ChairMinutes",
    "DateSpan",
    "DaySchedule",
    "ExistingVisit",
    "Horizon",
    "InvalidPlan",
    "Moves",
    "OpenDay",
    "Patient",
    "Preferences",
    "Summary",
    "Unbooked",
    "Week",
    "book",
    "check_plan",
    "naive_plan",
    "parse_plan",
    "parse_request",
    "plan_violations",
    "relaxation_bound",
]

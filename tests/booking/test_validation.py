"""The solver-free plan checker: each of the format's rules caught when broken."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from msinfusion.booking import BookingPlan, BookingRequest, InvalidPlan, book, check_plan, plan_violations
from msinfusion.booking.plan import Booking


@pytest.fixture
def plan(small_request: BookingRequest) -> BookingPlan:
    return book(small_request, time_limit=5)


def with_booking(plan: BookingPlan, index: int, **changes: object) -> BookingPlan:
    bookings = list(plan.bookings)
    bookings[index] = bookings[index].model_copy(update=changes)
    return plan.model_copy(update={"bookings": bookings})


def natalizumab_index(plan: BookingPlan) -> int:
    return next(i for i, b in enumerate(plan.bookings) if b.patient == "P002")


def test_a_valid_plan_passes(small_request: BookingRequest, plan: BookingPlan) -> None:
    check_plan(small_request, plan)


def test_rule_1_a_dose_left_out_is_caught(small_request: BookingRequest, plan: BookingPlan) -> None:
    broken = plan.model_copy(update={"bookings": plan.bookings[1:]})
    assert any("appears 0 times" in p for p in plan_violations(small_request, broken))


def test_rule_1_a_dose_listed_twice_is_caught(small_request: BookingRequest, plan: BookingPlan) -> None:
    broken = plan.model_copy(update={"bookings": [*plan.bookings, plan.bookings[0]]})
    assert any("appears 2 times" in p for p in plan_violations(small_request, broken))


def test_rule_2_a_booking_outside_its_window_is_caught(small_request: BookingRequest, plan: BookingPlan) -> None:
    index = natalizumab_index(plan)
    late = plan.bookings[index].window.end + dt.timedelta(days=7)
    problems = plan_violations(small_request, with_booking(plan, index, date=late))
    assert any("outside its window" in p for p in problems)


def test_rule_2_a_booking_on_a_closed_day_is_caught(small_request: BookingRequest, plan: BookingPlan) -> None:
    index = natalizumab_index(plan)
    booking: Booking = plan.bookings[index]
    saturday = booking.window.start + dt.timedelta(days=(5 - booking.window.start.weekday()) % 7)
    problems = plan_violations(small_request, with_booking(plan, index, date=saturday))
    assert any("center closed on Saturdays" in p for p in problems)


def test_rule_2_a_minimum_interval_broken_by_an_earlier_booking_is_caught(
    small_request: BookingRequest, plan: BookingPlan
) -> None:
    index = next(i for i, b in enumerate(plan.bookings) if b.patient == "P005" and b.dose == 2)
    too_soon = plan.bookings[index].window.start - dt.timedelta(days=3)
    problems = plan_violations(small_request, with_booking(plan, index, date=too_soon))
    assert any("P005" in p and "window" in p for p in problems)


def test_rule_3_a_schedule_moved_away_from_its_booking_is_caught(
    small_request: BookingRequest, plan: BookingPlan
) -> None:
    index = natalizumab_index(plan)
    problems = plan_violations(small_request, with_booking(plan, index, start=plan.bookings[index].start + 5))
    assert any("booked" in p and "starts" in p for p in problems)


def test_rule_3_a_day_without_its_schedule_is_caught(small_request: BookingRequest, plan: BookingPlan) -> None:
    broken = plan.model_copy(update={"days": plan.days[1:]})
    assert any("no schedule" in p for p in plan_violations(small_request, broken))


def test_rule_4_a_promised_visit_that_moved_is_caught(small_request: BookingRequest, plan: BookingPlan) -> None:
    moved = small_request.existing[0].model_copy(update={"start": 10 * 60})
    request = small_request.model_copy(update={"existing": [moved]})
    assert any("B0001" in p for p in plan_violations(request, plan))


def test_rule_5_headroom_taken_by_bookings_is_caught(small_request: BookingRequest, plan: BookingPlan) -> None:
    center = small_request.center.model_copy(update={"headroom": 0.95})
    request = small_request.model_copy(update={"center": center})
    with pytest.raises(InvalidPlan, match="headroom"):
        check_plan(request, plan)


def test_the_checker_does_not_import_the_solver() -> None:
    code = (
        "import sys\n"
        "import msinfusion.booking.validation\n"
        "print(any(m == 'ortools' or m.startswith('ortools.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

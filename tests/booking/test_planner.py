"""Booking a request: label rules hard, open days, feasible days, preferences and reasons."""

from __future__ import annotations

import datetime as dt
import itertools

from msinfusion.booking import BookingPlan, BookingRequest, book, naive_plan, parse_plan, parse_request, plan_violations
from msinfusion.booking.ledger import NOON
from tests.booking.conftest import natalizumab_patient, request_data


def by_dose(plan: BookingPlan, patient: str) -> dict[int, dt.date]:
    return {b.dose: b.date for b in plan.bookings if b.patient == patient}


def test_a_small_center_gets_a_valid_plan_that_round_trips(small_request: BookingRequest) -> None:
    plan = book(small_request, time_limit=5)
    assert plan_violations(small_request, plan) == []
    assert parse_plan(plan.to_json()) == plan
    assert plan.summary.booked == len(plan.bookings) > 0


def test_a_dose_due_on_an_observed_holiday_says_so() -> None:
    # Last dose 2027-06-07 -> next due 4 weeks later, 2027-07-05, Independence Day observed in 2027.
    request = parse_request(request_data([natalizumab_patient("P1", "2027-06-07")]))
    plan = book(request, time_limit=5)
    first = next(b for b in plan.bookings if b.dose == 3)
    assert first.due == dt.date(2027, 7, 5)
    assert first.date != first.due
    assert first.moved == "2027-07-05: center closed (Independence Day, observed)"


def test_the_next_dose_is_counted_from_the_booked_date() -> None:
    request = parse_request(request_data([natalizumab_patient("P1", "2027-06-07")]))
    plan = book(request, time_limit=5)
    dates = by_dose(plan, "P1")
    assert dates[4] - dates[3] >= dt.timedelta(days=25)
    four = next(b for b in plan.bookings if b.dose == 4)
    assert four.due == dates[3] + dt.timedelta(weeks=4)


def test_a_course_is_booked_on_consecutive_open_days_at_a_similar_start(small_request: BookingRequest) -> None:
    plan = book(small_request, time_limit=5)
    course = sorted((b for b in plan.bookings if b.patient == "P003"), key=lambda b: b.dose)
    assert len(course) == 5
    for earlier, later in itertools.pairwise(course):
        assert later.date == earlier.date + dt.timedelta(days=1)
        assert abs(later.start - earlier.start) <= 60


def test_a_course_that_cannot_find_consecutive_open_days_is_unbooked_with_a_reason() -> None:
    # A 3-day steroid course from Friday 2027-07-02 may only start 07-02 .. 07-04: no 3 open days in a row.
    request = parse_request(request_data([{"id": "P1", "therapy": "methylprednisolone", "start": "2027-07-02"}]))
    plan = book(request, time_limit=5)
    assert plan.bookings == []
    assert "consecutive open days" in plan.unbooked[0].reason
    assert [u.reason for u in plan.unbooked[1:]] == ["waits for dose 1, which is not booked"] * 2


def test_preferences_are_met_where_the_window_allows(small_request: BookingRequest) -> None:
    plan = book(small_request, time_limit=5)
    for booking in plan.bookings:
        if booking.patient == "P001":
            assert booking.date.weekday() in (1, 3) and booking.start < NOON
            assert booking.date != dt.date(2027, 7, 8)
        if booking.patient == "P002":
            assert booking.start >= NOON
    assert plan.summary.preferences_met == 1.0


def test_a_promised_visit_of_a_patient_keeps_its_date_and_start() -> None:
    existing = [{"id": "B7", "patient": "P1", "date": "2027-07-06", "start": "08:30", "treatment": "natalizumab-300"}]
    request = parse_request(request_data([natalizumab_patient("P1", "2027-06-07")], existing=existing))
    plan = book(request, time_limit=5)
    third = next(b for b in plan.bookings if b.dose == 3)
    assert (third.date, third.start) == (dt.date(2027, 7, 6), 8 * 60 + 30)
    assert plan_violations(request, plan) == []


def test_a_full_center_leaves_doses_unbooked_and_says_what_is_full() -> None:
    # One chair and no headroom to spare: 24 natalizumab patients due the same week cannot all fit (16 seats).
    patients = [natalizumab_patient(f"P{i:02d}", "2027-06-07") for i in range(24)]
    request = parse_request(request_data(patients, chairs=1, horizon=("2027-06-07", "2027-07-12")))
    plan = book(request, time_limit=5)
    assert plan.unbooked
    assert all("full" in u.reason or "waits for" in u.reason for u in plan.unbooked)
    assert plan_violations(request, plan) == []


def test_the_levelled_plan_is_never_busier_than_the_naive_one(small_request: BookingRequest) -> None:
    patients = [natalizumab_patient(f"P{i:02d}", f"2027-06-{7 + i % 5:02d}") for i in range(16)]
    request = parse_request(request_data(patients, chairs=3))
    levelled, naive = book(request, time_limit=5), naive_plan(request)
    assert plan_violations(request, naive) == []
    assert levelled.summary.chair_minutes.max <= naive.summary.chair_minutes.max


def test_the_bound_counts_a_promised_visit_as_fixed_and_follows_its_date() -> None:
    from msinfusion.booking import relaxation_bound
    from msinfusion.booking.doses import existing_phases

    existing = [{"id": "B7", "patient": "P1", "date": "2027-07-06", "start": "08:30", "treatment": "natalizumab-300"}]
    request = parse_request(request_data([natalizumab_patient("P1", "2027-06-07")], existing=existing))
    bound = relaxation_bound(request)
    visit = sum(phase.minutes for phase in existing_phases("natalizumab-300"))
    assert bound.chair_minutes >= visit  # the promised visit's day holds at least that visit
    plan = book(request, time_limit=5)
    assert plan.summary.chair_minutes.max == bound.chair_minutes  # one visit a day: the bound is reached


def test_a_course_that_cannot_start_is_left_out_of_the_bound() -> None:
    from msinfusion.booking import relaxation_bound

    request = parse_request(request_data([{"id": "P1", "therapy": "methylprednisolone", "start": "2027-07-02"}]))
    assert relaxation_bound(request).chair_minutes == 0

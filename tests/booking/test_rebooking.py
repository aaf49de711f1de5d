"""Rebooking after one event: only the affected doses move, and the moves are reported."""

from __future__ import annotations

import datetime as dt

import pytest

from msinfusion.booking import BookingPlan, BookingProblem, BookingRequest, book, parse_request, plan_violations
from msinfusion.booking.rebooking import (
    CancelledVisit,
    LateDose,
    MissedDose,
    NewClosure,
    NewPatient,
    RefusedDose,
    rebook,
)
from msinfusion.booking.request import Patient
from tests.booking.conftest import natalizumab_patient, request_data


@pytest.fixture
def request_() -> BookingRequest:
    patients = [natalizumab_patient(f"P{i:02d}", f"2027-06-{7 + i % 5:02d}") for i in range(10)]
    return parse_request(request_data(patients))


@pytest.fixture
def plan(request_: BookingRequest) -> BookingPlan:
    return book(request_, time_limit=5)


def dates(plan: BookingPlan, patient: str) -> dict[int, dt.date]:
    return {b.dose: b.date for b in plan.bookings if b.patient == patient}


def others_unchanged(before: BookingPlan, after: BookingPlan, patient: str) -> bool:
    keep = {(b.patient, b.dose, b.date, b.start, b.chair) for b in before.bookings if b.patient != patient}
    now = {(b.patient, b.dose, b.date, b.start, b.chair) for b in after.bookings if b.patient != patient}
    return keep == now


def test_a_late_dose_moves_the_next_dose_to_four_weeks_after_it(request_: BookingRequest, plan: BookingPlan) -> None:
    late = dates(plan, "P01")[3] + dt.timedelta(days=5)
    result = rebook(request_, plan, LateDose(patient="P01", dose=3, given=late))
    assert plan_violations(result.request, result.plan) == []
    next_dose = next(b for b in result.plan.bookings if (b.patient, b.dose) == ("P01", 4))
    assert next_dose.due == late + dt.timedelta(weeks=4)
    assert [(m.patient, m.dose) for m in result.moves] == [("P01", 4)]
    assert result.moves[0].days == (next_dose.date - dates(plan, "P01")[4]).days
    assert others_unchanged(plan, result.plan, "P01")


def test_a_missed_dose_is_booked_again_after_the_day_it_was_missed(request_: BookingRequest, plan: BookingPlan) -> None:
    missed = dates(plan, "P02")[3]
    result = rebook(request_, plan, MissedDose(patient="P02", dose=3, on=missed))
    again = dates(result.plan, "P02").get(3)
    assert again is None or again > missed
    assert ("P02", 3) in {(m.patient, m.dose) for m in result.moves}
    assert others_unchanged(plan, result.plan, "P02")


def test_a_refused_dose_is_never_booked_on_or_before_the_refusal(request_: BookingRequest, plan: BookingPlan) -> None:
    refused = dates(plan, "P03")[3]
    result = rebook(request_, plan, RefusedDose(patient="P03", dose=3, on=refused))
    assert all(u.reason for u in result.plan.unbooked if u.patient == "P03"), "an unbooked dose always says why"
    again = dates(result.plan, "P03").get(3)
    assert again is None or again > refused


def test_a_cancelled_visit_moves_to_another_day(request_: BookingRequest, plan: BookingPlan) -> None:
    before = dates(plan, "P04")[4]
    result = rebook(request_, plan, CancelledVisit(patient="P04", dose=4))
    assert dates(result.plan, "P04")[4] != before
    assert [(m.patient, m.dose) for m in result.moves] == [("P04", 4)]


def test_a_new_closure_moves_only_that_days_bookings_and_what_follows(
    request_: BookingRequest, plan: BookingPlan
) -> None:
    day = plan.bookings[0].date
    hit = {b.patient for b in plan.bookings if b.date == day}
    result = rebook(request_, plan, NewClosure(date=day))
    assert all(b.date != day for b in result.plan.bookings)
    assert {m.patient for m in result.moves} <= hit
    assert {m.patient for m in result.moves} >= {b.patient for b in plan.bookings if b.date == day}


def test_a_new_patient_is_booked_without_moving_anyone(request_: BookingRequest, plan: BookingPlan) -> None:
    patient = Patient(id="NEW", therapy="ocrelizumab-iv", start=dt.date(2027, 7, 20))
    result = rebook(request_, plan, NewPatient(patient=patient))
    assert result.moves == []
    assert {b.dose for b in result.plan.bookings if b.patient == "NEW"} == {1, 2}


def test_an_event_for_an_unknown_patient_is_a_problem(request_: BookingRequest, plan: BookingPlan) -> None:
    with pytest.raises(BookingProblem):
        rebook(request_, plan, CancelledVisit(patient="NOBODY", dose=1))


def test_a_first_dose_booked_early_and_given_late_still_before_the_start_starts_the_regimen() -> None:
    request = parse_request(
        request_data(
            [{"id": "A1", "therapy": "alemtuzumab", "start": "2027-06-10"}], horizon=("2027-06-07", "2027-08-31")
        )
    )
    plan = book(request, time_limit=5)
    first = dates(plan, "A1")[1]
    assert first < dt.date(2027, 6, 10)
    result = rebook(request, plan, LateDose(patient="A1", dose=1, given=first + dt.timedelta(days=1)))
    assert result.request.patient("A1").start == first + dt.timedelta(days=1)
    assert plan_violations(result.request, result.plan) == []

"""Random small centers and patients: every plan the booker returns is valid and round-trips."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msinfusion.booking import BookingProblem, book, naive_plan, parse_plan, parse_request, plan_violations
from tests.booking.conftest import request_data

THERAPIES = [
    "natalizumab",
    "ocrelizumab-iv",
    "ublituximab",
    "alemtuzumab",
    "methylprednisolone",
    "ocrelizumab-sc",
    "rituximab",
]
DAYS = ["mon", "tue", "wed", "thu", "fri"]


@st.composite
def patients(draw: st.DrawFn, index: int) -> dict[str, Any]:
    therapy = draw(st.sampled_from(THERAPIES))
    start = dt.date(2027, 5, 3) + dt.timedelta(days=draw(st.integers(0, 70)))
    patient: dict[str, Any] = {"id": f"P{index:03d}", "therapy": therapy, "start": start.isoformat()}
    if draw(st.booleans()):
        patient["preferences"] = {
            "weekdays": draw(st.lists(st.sampled_from(DAYS), max_size=3, unique=True)),
            "time": draw(st.sampled_from([None, "morning", "afternoon"])),
            "unavailable": [(start + dt.timedelta(days=draw(st.integers(0, 40)))).isoformat()],
        }
    return patient


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 8))
    data = request_data(
        [draw(patients(i)) for i in range(count)],
        chairs=draw(st.integers(1, 3)),
        headroom=draw(st.sampled_from([0.0, 0.1, 0.3])),
        closures=[(dt.date(2027, 6, 7) + dt.timedelta(days=draw(st.integers(0, 60)))).isoformat()],
        horizon=("2027-06-07", "2027-08-31"),
    )
    closed = draw(st.lists(st.sampled_from(DAYS), max_size=2, unique=True))
    for day in closed:
        data["center"]["week"][day] = None
    if draw(st.booleans()):
        data["center"]["week"]["mon"] = {
            "opens": "08:00",
            "closes": "16:00",
            "nurses": [{"id": "N1", "shift_start": "08:00", "shift_end": "16:00"}],
        }
    return data


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_every_plan_is_valid_and_round_trips(data: dict[str, Any]) -> None:
    request = parse_request(data)
    plan = book(request, time_limit=2)
    assert plan_violations(request, plan) == []
    assert parse_plan(plan.to_json()) == plan
    assert plan_violations(request, naive_plan(request)) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(), st.integers(0, 10_000), st.sampled_from(["closure", "cancelled", "missed", "late"]))
def test_every_rebooking_is_valid_and_moves_only_the_affected_patient(
    data: dict[str, Any], pick: int, kind: str
) -> None:
    from msinfusion.booking.rebooking import CancelledVisit, Event, LateDose, MissedDose, NewClosure, rebook

    request = parse_request(data)
    plan = book(request, time_limit=2)
    if not plan.bookings:
        return
    target = plan.bookings[pick % len(plan.bookings)]
    event: Event
    if kind == "closure":
        event = NewClosure(date=target.date)
    elif kind == "cancelled":
        event = CancelledVisit(patient=target.patient, dose=target.dose)
    elif kind == "missed":
        event = MissedDose(patient=target.patient, dose=target.dose, on=target.date)
    else:
        event = LateDose(patient=target.patient, dose=target.dose, given=target.date + dt.timedelta(days=2))
    try:
        result = rebook(request, plan, event)
    except BookingProblem:
        return  # e.g. an earlier dose of that patient is not booked
    assert plan_violations(result.request, result.plan) == []
    if kind != "closure":
        assert {m.patient for m in result.moves} <= {target.patient}

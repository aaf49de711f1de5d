"""A stored plan checked again against the center as it is now: it holds while nothing changed, and a
visit in its seat, a new closure or a dose booked meanwhile each make it fail, named, without searching."""

from __future__ import annotations

from msinfusion.booking import book, parse_request
from msinfusion.booking.replay import replay
from msinfusion.scheduling.clock import format_clock
from tests.booking.conftest import natalizumab_patient, request_data


def _patients() -> list[dict[str, object]]:
    return [
        natalizumab_patient("P1", "2027-05-31"),
        {"id": "P2", "therapy": "methylprednisolone", "start": "2027-06-14"},
    ]


def test_an_unchanged_plan_holds_and_comes_back_with_a_valid_schedule_per_day() -> None:
    request = parse_request(request_data(_patients(), chairs=1))
    plan = book(request, time_limit=5)
    mine = [b for b in plan.bookings if b.patient == "P1"]
    single = parse_request(request_data([_patients()[0]], chairs=1))
    checked = replay(single, mine, [u for u in plan.unbooked if u.patient == "P1"])
    assert checked.holds and checked.problems == []
    assert checked.plan is not None and [b.date for b in checked.plan.bookings] == [b.date for b in mine]
    assert {d.date for d in checked.plan.days} == {b.date for b in mine}


def test_a_visit_now_in_the_planned_chair_makes_the_plan_fail() -> None:
    single = request_data([_patients()[0]], chairs=1)
    plan = book(parse_request(single), time_limit=5)
    first = plan.bookings[0]
    single["existing"] = [
        {"id": "A9", "patient": "P9", "date": first.date.isoformat(), "start": format_clock(first.start),
         "treatment": first.treatment},
    ]  # fmt: skip
    checked = replay(parse_request(single), plan.bookings, plan.unbooked)
    assert not checked.holds and checked.plan is None
    assert any(
        f"dose {first.dose} on {first.date.isoformat()}" in p and "no longer free" in p for p in checked.problems
    )


def test_a_new_closure_on_a_planned_day_makes_the_plan_fail() -> None:
    plan = book(parse_request(request_data([_patients()[0]])), time_limit=5)
    first = plan.bookings[0]
    closed = parse_request(request_data([_patients()[0]], closures=[first.date.isoformat()]))
    checked = replay(closed, plan.bookings, plan.unbooked)
    assert not checked.holds and any("closed" in p for p in checked.problems)


def test_a_plan_that_no_longer_covers_the_due_doses_fails_the_validator() -> None:
    plan = book(parse_request(request_data([_patients()[0]])), time_limit=5)
    checked = replay(parse_request(request_data([_patients()[0]])), plan.bookings[1:], plan.unbooked)
    assert not checked.holds and any("appears 0 times" in p for p in checked.problems)

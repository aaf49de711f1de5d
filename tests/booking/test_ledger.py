"""One center day while booking: chairs, nurse tasks on shift, the nurse ratio, headroom and snug seats."""

from __future__ import annotations

import datetime as dt

from msinfusion.booking import parse_request
from msinfusion.booking.ledger import DayLedger, Seat
from msinfusion.booking.request import OpenDay
from msinfusion.scheduling.day import Nurse, Phase
from msinfusion.scheduling.validation import schedule_violations
from tests.booking.conftest import request_data

VISIT = (Phase(name="check-in", minutes=15, nurse_minutes=15), Phase(name="infusion", minutes=105, nurse_minutes=10))


def ledger(chairs: int = 2, nurses: int = 1, ratio: int = 4, headroom: float = 0.0) -> DayLedger:
    data = request_data([], chairs=chairs, headroom=headroom)
    data["center"]["max_patients_per_nurse"] = ratio
    center = parse_request(data).center
    hours = OpenDay(
        opens=8 * 60,
        closes=12 * 60,
        nurses=[Nurse(id=f"N{i + 1}", shift_start=8 * 60, shift_end=12 * 60) for i in range(nurses)],
    )
    return DayLedger(dt.date(2027, 6, 8), hours, center)


def test_a_chair_holds_one_visit_at_a_time() -> None:
    day = ledger(chairs=1, nurses=2)
    first = day.try_seat(VISIT, 8 * 60)
    assert first is not None
    day.place("A", "P1", "x", VISIT, first)
    assert day.try_seat(VISIT, 9 * 60) is None
    assert day.try_seat(VISIT, 10 * 60) is not None


def test_a_nurse_does_one_task_at_a_time() -> None:
    day = ledger(chairs=2, nurses=1)
    day.place("A", "P1", "x", VISIT, Seat(8 * 60, "C01", ("N1", "N1")))
    assert day.try_seat(VISIT, 8 * 60 + 5) is None  # the check-in would overlap the first one's
    assert day.try_seat(VISIT, 8 * 60 + 25) is not None


def test_the_nurse_ratio_limits_patients_in_chairs() -> None:
    day = ledger(chairs=3, nurses=1, ratio=1)
    assert day.ratio_binds
    day.place("A", "P1", "x", VISIT, Seat(8 * 60, "C01", ("N1", "N1")))
    assert day.try_seat(VISIT, 8 * 60 + 30) is None
    assert day.try_seat(VISIT, 10 * 60) is not None


def test_a_visit_must_end_by_closing() -> None:
    day = ledger()
    assert day.try_seat(VISIT, 11 * 60) is None
    assert day.try_seat(VISIT, 10 * 60) is not None


def test_headroom_is_kept_free() -> None:
    day = ledger(chairs=1, headroom=0.5)
    assert day.capacity == 120
    assert day.room_for(120) and not day.room_for(121)


def test_a_snug_seat_is_preferred_so_long_gaps_stay_whole() -> None:
    day = ledger(chairs=2, nurses=2)
    day.place("A", "P1", "x", VISIT, Seat(8 * 60, "C01", ("N1", "N1")))
    seat = day.first_seat(VISIT, [10 * 60, 10 * 60 + 5])
    assert seat is not None and seat.chair == "C01"  # C01 is busy until 10:00: no gap left before


def test_a_ledger_becomes_a_day_and_a_valid_schedule() -> None:
    day = ledger(chairs=2, nurses=2)
    for name, start in (("A", 8 * 60), ("B", 8 * 60 + 15), ("C", 10 * 60)):
        seat = day.try_seat(VISIT, start)
        assert seat is not None
        day.place(name, f"P{name}", "x", VISIT, seat)
    as_day = day.day()
    assert schedule_violations(as_day, day.schedule(as_day)) == []

"""Repair: each kind of event changes the day by its own rule, then the plan changes as little as it can."""

from __future__ import annotations

from typing import Any

import pytest

from msinfusion.scheduling import Chair, Day, DayProblem, Phase, Schedule, solve
from msinfusion.scheduling.clock import parse_clock
from msinfusion.scheduling.day import Appointment
from msinfusion.scheduling.events import DayEvents, parse_events
from msinfusion.scheduling.repair import ReducedRate, apply_events, repair
from tests.scheduling.conftest import nurse, small_day, visit

HALF = ReducedRate(0.5, ("S6",), "secondary")


def events(now: str, *items: dict[str, Any]) -> DayEvents:
    return parse_events({"format": "msinfusion.events/1", "now": now, "events": list(items)})


def starts(schedule: Schedule) -> dict[str, int]:
    return {a.appointment: a.start for a in schedule.assignments}


def three_in_a_row(chairs: int = 1) -> tuple[Day, Schedule]:
    """A1 08:00, A2 09:00, A3 10:00, one hour each."""
    day = small_day(
        [visit(f"A{n}", preferred_start=f"{7 + n:02d}:00") for n in (1, 2, 3)],
        chairs=[Chair(id=f"C{n}") for n in range(1, chairs + 1)],
    )
    schedule = solve(day, solver="greedy")
    assert starts(schedule) == {"A1": 480, "A2": 540, "A3": 600}
    return day, schedule


def infusing(treatment: str = "test") -> Appointment:
    """08:00 check-in 15, infusion 60 (08:15-09:15), discharge 10: ends 09:25."""
    phases = [
        Phase(name="check-in", minutes=15, nurse_minutes=15),
        Phase(name="infusion", minutes=60, nurse_minutes=10),
        Phase(name="discharge", minutes=10, nurse_minutes=10),
    ]
    return Appointment(id="R", patient="PR", treatment=treatment, phases=phases, preferred_start=480)


def test_a_late_arrival_starts_when_the_patient_is_there_and_nobody_else_moves() -> None:
    day, current = three_in_a_row(chairs=2)
    result = repair(day, current, events("08:30", {"kind": "late-arrival", "appointment": "A2", "arrives": "09:20"}))
    assert starts(result.schedule) == {"A1": 480, "A2": 560, "A3": 600}
    assert result.moved_promises == 1


def test_a_late_arrival_in_a_full_chair_moves_one_promise_rather_than_two() -> None:
    day, current = three_in_a_row(chairs=1)
    result = repair(day, current, events("08:30", {"kind": "late-arrival", "appointment": "A2", "arrives": "09:20"}))
    assert starts(result.schedule) == {"A1": 480, "A2": 660, "A3": 600}
    assert [c.appointment for c in result.changes] == ["A2"]


def test_a_late_arrival_for_a_seated_patient_is_bad_input() -> None:
    day, current = three_in_a_row()
    with pytest.raises(DayProblem, match="A1 started at 08:00"):
        repair(day, current, events("08:30", {"kind": "late-arrival", "appointment": "A1", "arrives": "09:20"}))


def test_a_no_show_leaves_the_day_with_its_reason_and_changes_nothing_else() -> None:
    day, current = three_in_a_row()
    result = repair(day, current, events("08:30", {"kind": "no-show", "appointment": "A2"}))
    assert starts(result.schedule) == {"A1": 480, "A3": 600}
    assert result.schedule.unscheduled[0].reason.startswith("did not come")
    assert result.moved_promises == 0


def test_a_no_show_for_a_seated_patient_is_bad_input() -> None:
    day, current = three_in_a_row()
    with pytest.raises(DayProblem, match=r"events\[0\]\.appointment"):
        repair(day, current, events("08:30", {"kind": "no-show", "appointment": "A1"}))


def test_a_reaction_lengthens_the_infusion_by_the_pause_and_the_rest_at_the_reduced_rate() -> None:
    day = small_day([infusing()], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    happened = events("08:50", {"kind": "reaction", "appointment": "R", "at": "08:45", "pause_minutes": 15})
    applied = apply_events(day, current, happened, rates=lambda code: HALF)
    # 30 min done + 15 min pause + the other 30 min at half the rate (60 min).
    assert [p.minutes for p in applied.day.appointments[0].resolved_phases] == [15, 105, 10]
    assert "label rule S6 (secondary)" in applied.notes[0]


def test_a_reaction_keeps_the_seated_patient_in_place_and_moves_the_next_one_in_that_chair() -> None:
    day = small_day([infusing(), visit("A2", preferred_start="09:30")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    happened = events("08:50", {"kind": "reaction", "appointment": "R", "at": "08:45", "pause_minutes": 15})
    result = repair(day, current, happened, rates=lambda code: HALF)
    by_id = {a.appointment: a for a in result.schedule.assignments}
    assert (by_id["R"].start, by_id["R"].chair, by_id["R"].end) == (480, "C1", parse_clock("10:10"))
    assert by_id["A2"].start == parse_clock("10:10")


def test_a_reaction_takes_the_reduced_rate_from_the_therapy_data_with_its_sources() -> None:
    day = small_day([infusing("ocrelizumab-600")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    happened = events("08:50", {"kind": "reaction", "appointment": "R", "at": "08:45", "pause_minutes": 0})
    applied = apply_events(day, current, happened)
    assert "0.5 x the rate (label rule S6, S22 (secondary))" in applied.notes[0]


def test_a_reaction_without_a_label_rate_needs_the_rate_in_the_event() -> None:
    day = small_day([infusing("natalizumab-300")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    happened = events("08:50", {"kind": "reaction", "appointment": "R", "at": "08:45", "pause_minutes": 10})
    with pytest.raises(DayProblem, match="rate_factor: the labels give no reduced rate"):
        apply_events(day, current, happened)
    given = events(
        "08:50", {"kind": "reaction", "appointment": "R", "at": "08:45", "pause_minutes": 10, "rate_factor": 0.75}
    )
    applied = apply_events(day, current, given)
    assert [p.minutes for p in applied.day.appointments[0].resolved_phases] == [15, 80, 10]
    assert "as reported" in applied.notes[0]


def test_a_reaction_outside_the_infusion_is_bad_input() -> None:
    day = small_day([infusing()], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    happened = events("09:20", {"kind": "reaction", "appointment": "R", "at": "09:20", "pause_minutes": 5})
    with pytest.raises(DayProblem, match="outside R's infusion 08:15-09:15"):
        apply_events(day, current, happened, rates=lambda code: HALF)


def test_a_reaction_running_past_closing_keeps_the_center_and_its_last_nurse_open() -> None:
    day = small_day([infusing()], chairs=[Chair(id="C1")], closes="09:30")
    current = solve(day, solver="greedy")
    happened = events("08:50", {"kind": "reaction", "appointment": "R", "at": "08:45", "pause_minutes": 15})
    result = repair(day, current, happened, rates=lambda code: HALF)
    assert result.day.center.closes == parse_clock("10:10")
    assert "after closing at 09:30" in result.warnings[0]


def test_a_nurse_leaving_hands_their_later_tasks_to_a_nurse_still_on_shift() -> None:
    day = small_day(
        [visit("A1", preferred_start="08:00"), visit("A2", preferred_start="10:00")],
        nurses=[nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00")],
    )
    current = solve(day, solver="greedy")
    result = repair(day, current, events("08:30", {"kind": "nurse-leaves", "nurse": "N1", "at": "09:00"}))
    assert all(t.nurse == "N2" for a in result.schedule.assignments for t in a.nurse_tasks if t.start >= 540)
    assert starts(result.schedule) == {"A1": 480, "A2": 600}


def test_a_nurse_leaving_mid_task_finishes_it_first() -> None:
    day = small_day([visit("A1", nurse_minutes=30, preferred_start="08:00")])
    current = solve(day, solver="greedy")
    applied = apply_events(day, current, events("08:10", {"kind": "nurse-leaves", "nurse": "N1", "at": "08:15"}))
    assert applied.day.center.nurses[0].shift_end == parse_clock("08:30")
    assert "finishes a task begun before now" in applied.warnings[0]


def test_when_a_nurse_leaves_and_the_rest_cannot_be_kept_a_visit_leaves_the_day_with_a_warning() -> None:
    day = small_day(
        [visit("A1", minutes=240, preferred_start="08:00"), visit("A2", minutes=180, preferred_start="09:00")],
        nurses=[nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00")],
        ratio=1,
    )
    current = solve(day, solver="greedy")
    result = repair(day, current, events("08:30", {"kind": "nurse-leaves", "nurse": "N2", "at": "08:45"}))
    assert starts(result.schedule) == {"A1": 480}
    assert "A2 no longer fits today" in result.warnings[0]


def test_events_with_an_unknown_kind_are_bad_input() -> None:
    with pytest.raises(DayProblem, match=r"events\[0\]"):
        events("08:30", {"kind": "earthquake"})


def test_an_event_for_an_unknown_appointment_is_bad_input() -> None:
    day, current = three_in_a_row()
    with pytest.raises(DayProblem, match="unknown appointment 'A9'"):
        repair(day, current, events("08:30", {"kind": "no-show", "appointment": "A9"}))


def test_a_nurse_cannot_leave_while_the_nurses_left_could_not_watch_the_seated_patients() -> None:
    day = small_day(
        [visit("A1", minutes=240, preferred_start="08:00"), visit("A2", minutes=240, preferred_start="08:00")],
        nurses=[nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00")],
        ratio=1,
    )
    current = solve(day, solver="greedy")
    assert len(current.assignments) == 2
    with pytest.raises(DayProblem, match="a nurse can leave later"):
        repair(day, current, events("08:30", {"kind": "nurse-leaves", "nurse": "N2", "at": "09:00"}))

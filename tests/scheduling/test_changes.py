"""What a re-plan changes: one line per appointment, old against new."""

from __future__ import annotations

from msinfusion.scheduling import Chair, schedule_changes, solve
from tests.scheduling.conftest import small_day, visit


def test_an_unchanged_schedule_has_no_changes_and_each_kind_of_change_is_described() -> None:
    day = small_day(
        [visit("A1", preferred_start="08:00"), visit("A2", preferred_start="10:00")],
        chairs=[Chair(id="C1"), Chair(id="C2")],
    )
    before = solve(day, solver="greedy")
    assert schedule_changes(before, before) == []
    a1, a2 = before.assignments
    moved = a2.model_copy(update={"start": 630, "end": 690, "chair": "C2"})
    added = a1.model_copy(update={"appointment": "X"})
    after = before.model_copy(update={"assignments": [moved, added]})
    lines = [c.describe() for c in schedule_changes(before, after)]
    assert lines == [
        "A1: taken off the day (was 08:00 in chair C1)",
        "A2: start 10:00 -> 10:30, end 11:00 -> 11:30, chair C1 -> C2",
        "X: added at 08:00 in chair C1",
    ]

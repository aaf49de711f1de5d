"""The day board's rules: steps in order (skipping what a visit lacks), expected ends that follow the
recorded steps, and the check flag a visit shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from msinfusion.board import (
    BOARD_STATES,
    CHECK_FLAGS,
    TIME_PROBLEMS,
    BoardRow,
    by_chair,
    check_flag,
    expected_ends,
    next_state,
    time_problem,
    undo_target,
)
from msinfusion.visits import VisitPhase

START = datetime(2027, 3, 8, 14, 0, tzinfo=UTC)


def _phases(premedication: bool = True) -> list[VisitPhase]:
    steps = [("check-in", 15), *([("premedication", 30)] if premedication else []), ("infusion", 120)]
    steps += [("observation", 60), ("discharge", 10)]
    phases, after = [], 0
    for name, minutes in steps:
        phases.append(VisitPhase(name=name, title=name, minutes=minutes, nurse_minutes=0, starts_after=after))
        after += minutes
    return phases


def test_the_steps_follow_the_visit_in_order() -> None:
    assert [next_state(s, _phases()) for s in BOARD_STATES] == [*BOARD_STATES[1:], None]


def test_a_visit_without_premedication_goes_from_checked_in_to_infusing() -> None:
    assert next_state("checked_in", _phases(premedication=False)) == "infusing"


def test_expected_ends_come_from_the_planned_start_until_a_step_is_recorded() -> None:
    observation, finish = expected_ends(_phases(), START, {})
    assert observation == START + timedelta(minutes=225) and finish == START + timedelta(minutes=235)


def test_a_late_check_in_moves_the_observation_end_with_it() -> None:
    late = START + timedelta(minutes=30)
    observation, _ = expected_ends(_phases(), START, {"checked_in": late})
    assert observation == late + timedelta(minutes=225)


def test_an_unplanned_visit_has_no_expected_end() -> None:
    assert expected_ends(_phases(), None, {}) == (None, None)


@dataclass(frozen=True)
class _Answers:
    appointment_id: int | None
    patient_id: int
    submitted_at: datetime
    outcome: str


def test_a_visits_own_answers_beat_the_patients_recent_ones() -> None:
    day = date(2027, 3, 8)
    answers = [_Answers(7, 1, START, "call-center"), _Answers(None, 1, START, "proceed")]
    assert check_flag(7, 1, day, answers) == CHECK_FLAGS["call-center"]
    assert check_flag(8, 1, day, answers) == CHECK_FLAGS["proceed"]


def test_untied_answers_older_than_the_lookback_do_not_count() -> None:
    old = [_Answers(None, 1, START - timedelta(days=4), "proceed")]
    assert check_flag(8, 1, date(2027, 3, 8), old) is None


NEW_YORK = ZoneInfo("America/New_York")
CHECKED_IN = datetime(2027, 3, 8, 14, 0, tzinfo=UTC)  # 09:00 in New York
INFUSING = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)  # 10:00
NOW = datetime(2027, 3, 8, 16, 0, tzinfo=UTC)  # 11:00


def _row(appointment_id: int, chair: str | None, start: datetime | None, **fields: Any) -> BoardRow:
    values: dict[str, Any] = {
        "appointment_id": appointment_id,
        "patient_id": appointment_id,
        "patient": f"P{appointment_id}",
        "reference": f"R{appointment_id}",
        "treatment": "ocrelizumab-300",
        "chair": chair,
        "planned_start": start,
        "state": "expected",
        "state_since": None,
        "next_state": "checked_in",
        "check": None,
        "observation_end": None,
        "expected_finish": None,
        "discharged_at": None,
    }
    return BoardRow(**{**values, **fields})


def test_undoing_a_step_goes_back_to_the_step_recorded_before_it() -> None:
    assert undo_target("infusing", ["checked_in", "premedication", "infusing"]) == "premedication"
    assert undo_target("infusing", ["checked_in", "infusing"]) == "checked_in"  # no premedication
    assert undo_target("checked_in", ["checked_in"]) == "expected"


def test_there_is_nothing_to_undo_before_the_first_step() -> None:
    assert undo_target("expected", []) is None


def test_a_step_time_may_move_back_within_the_day_between_its_neighbours() -> None:
    recorded = {"checked_in": CHECKED_IN, "infusing": INFUSING}
    corrected = datetime(2027, 3, 8, 14, 50, tzinfo=UTC)  # 09:50
    assert time_problem("infusing", corrected, recorded, date(2027, 3, 8), NEW_YORK, NOW) is None


def test_a_step_time_cannot_be_in_the_future() -> None:
    recorded = {"checked_in": CHECKED_IN}
    problem = time_problem("checked_in", NOW + timedelta(minutes=1), recorded, date(2027, 3, 8), NEW_YORK, NOW)
    assert problem == (TIME_PROBLEMS["future"], {"now": "11:00"})


def test_a_step_time_stays_on_the_day_of_the_visit() -> None:
    recorded = {"checked_in": CHECKED_IN}
    day_before = datetime(2027, 3, 8, 4, 0, tzinfo=UTC)  # 23:00 on 7 March in New York
    problem = time_problem("checked_in", day_before, recorded, date(2027, 3, 8), NEW_YORK, NOW)
    assert problem == (TIME_PROBLEMS["day"], {})


def test_an_infusion_cannot_start_before_the_patient_checked_in() -> None:
    recorded = {"checked_in": CHECKED_IN, "infusing": INFUSING}
    early = CHECKED_IN - timedelta(minutes=5)
    assert time_problem("infusing", early, recorded, date(2027, 3, 8), NEW_YORK, NOW) == (
        TIME_PROBLEMS["before"],
        {"time": "09:00"},
    )
    late = INFUSING + timedelta(minutes=5)
    assert time_problem("checked_in", late, recorded, date(2027, 3, 8), NEW_YORK, NOW) == (
        TIME_PROBLEMS["after"],
        {"time": "10:00"},
    )


def test_only_a_recorded_step_has_a_time_to_correct() -> None:
    problem = time_problem("observation", CHECKED_IN, {"checked_in": CHECKED_IN}, date(2027, 3, 8), NEW_YORK, NOW)
    assert problem == (TIME_PROBLEMS["unrecorded"], {})


def test_the_chair_view_lists_each_chairs_visits_in_time_order_and_leaves_out_unscheduled_ones() -> None:
    rows = [
        _row(1, "C02", INFUSING),
        _row(2, "C01", INFUSING),
        _row(3, "C02", CHECKED_IN),
        _row(4, None, None),
    ]
    assert [(chair, [r.appointment_id for r in visits]) for chair, visits in by_chair(rows)] == [
        ("C01", [2]),
        ("C02", [3, 1]),
    ]


def test_checking_in_asks_for_a_confirmation_only_when_the_check_says_do_not_infuse() -> None:
    stop = _row(1, "C01", CHECKED_IN, check=CHECK_FLAGS["do-not-come"])
    fine = _row(2, "C01", CHECKED_IN, check=CHECK_FLAGS["proceed"])
    seated = _row(3, "C01", CHECKED_IN, check=CHECK_FLAGS["do-not-come"], state="checked_in", next_state="infusing")
    assert stop.check_in_needs_confirmation
    assert not fine.check_in_needs_confirmation
    assert not seated.check_in_needs_confirmation  # the confirmation belongs to check-in only


def test_check_flag_icons_are_drawings_not_font_glyphs() -> None:
    # U+26D4 rendered as an empty box where no emoji font is installed; the board draws its icons.
    assert {icon for icon, _words, _style in CHECK_FLAGS.values()} == {"check", "phone", "stop"}

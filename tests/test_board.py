"""The day board's rules: steps in order (skipping what a visit lacks), expected ends that follow the
recorded steps, and the check flag a visit shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from msinfusion.board import BOARD_STATES, CHECK_FLAGS, check_flag, expected_ends, next_state
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

"""The day board's rules: the steps of a visit in order, which step comes next, and when a patient's
observation and visit should end.

Times come from the visit timeline of the catalog (:func:`msinfusion.visits.phases_for_treatment`),
anchored at the planned start and re-anchored at the latest step the nurses recorded, so a slow
infusion moves the observation end with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from msinfusion.visits import VisitPhase

BOARD_STATES = ("expected", "checked_in", "premedication", "infusing", "observation", "discharged")
"""Where a patient is in their visit, in the order the steps happen."""

# The visit phase each board state begins.
STATE_PHASE = {
    "checked_in": "check-in",
    "premedication": "premedication",
    "infusing": "infusion",
    "observation": "observation",
}
STATE_WORDS = {
    "expected": "Expected",
    "checked_in": "Checked in",
    "premedication": "Premedication",
    "infusing": "Infusing",
    "observation": "Observation",
    "discharged": "Discharged",
}
# The button that records each step.
MARK_WORDS = {
    "checked_in": "Mark checked in",
    "premedication": "Mark premedication",
    "infusing": "Mark infusing",
    "observation": "Mark observation",
    "discharged": "Mark discharged",
}
# The actual time each recorded step stands for.
TIME_WORDS = {
    "checked_in": "Checked in at",
    "premedication": "Premedication started at",
    "infusing": "Infusion started at",
    "observation": "Infusion ended, observation from",
    "discharged": "Discharged at",
}
# Outcome of the pre-infusion check -> (icon, words, tag style). The words carry the meaning; the icon
# is the name of an inline SVG drawing (a font glyph such as U+26D4 renders as an empty box where the
# staff's computers have no emoji font).
CHECK_FLAGS = {
    "proceed": ("check", "Check: fine to proceed", "ok"),
    "call-center": ("phone", "Check: call the center", "review"),
    "do-not-come": ("stop", "Check: do not infuse", "alert"),
}
STOP_STYLE = "alert"
"""The tag style of a check that says not to infuse: checking such a patient in needs a confirmation."""
CHECK_LOOKBACK = timedelta(days=3)
"""Answers not tied to an appointment count for a visit when given this many days before it at most."""


@dataclass(frozen=True)
class BoardRow:
    """One appointment on the board."""

    appointment_id: int
    patient_id: int
    patient: str
    reference: str
    treatment: str
    chair: str | None
    planned_start: datetime | None
    state: str
    state_since: datetime | None
    next_state: str | None
    check: tuple[str, str, str] | None
    observation_end: datetime | None
    expected_finish: datetime | None
    discharged_at: datetime | None
    # Checks required before this dose that staff have not recorded (each in words): the visit may not
    # move to infusing without a clinician's confirmation. And why the dose needs a clinician, if it does.
    missing_checks: tuple[str, ...] = ()
    clinician_gate: str | None = None
    # The steps the nurses recorded, each with its actual time, in the order of the visit.
    recorded: tuple[tuple[str, datetime], ...] = ()
    version: int = 1

    @property
    def blocked(self) -> bool:
        """Whether the infusion may not start until staff record the missing checks or a clinician confirms."""
        return bool(self.missing_checks) or self.clinician_gate is not None

    @property
    def check_in_needs_confirmation(self) -> bool:
        """Whether the patient's check says not to infuse, so check-in asks staff to confirm they read it."""
        return self.next_state == "checked_in" and self.check is not None and self.check[2] == STOP_STYLE

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def next_words(self) -> str | None:
        return STATE_WORDS[self.next_state] if self.next_state else None


def next_state(state: str, phases: Sequence[VisitPhase]) -> str | None:
    """The state after ``state``, skipping steps this visit does not have (no premedication, say)."""
    names = {p.name for p in phases}
    for candidate in BOARD_STATES[BOARD_STATES.index(state) + 1 :]:
        phase = STATE_PHASE.get(candidate)
        if phase is None or phase in names or not names:
            return candidate
    return None


def expected_ends(
    phases: Sequence[VisitPhase], planned_start: datetime | None, events: Mapping[str, datetime]
) -> tuple[datetime | None, datetime | None]:
    """(observation end, visit end) from the latest recorded step, else from the planned start."""
    by_name = {p.name: p for p in phases}
    anchor = planned_start
    for state in reversed(BOARD_STATES):
        phase = by_name.get(STATE_PHASE.get(state, ""))
        if state in events and phase is not None:
            anchor = events[state] - timedelta(minutes=phase.starts_after)
            break
    if anchor is None or not phases:
        return None, None
    observation = by_name.get("observation")
    end = anchor + timedelta(minutes=max(p.starts_after + p.minutes for p in phases))
    if observation is None:
        return None, end
    return anchor + timedelta(minutes=observation.starts_after + observation.minutes), end


class Answers(Protocol):
    """A pre-infusion check on file, as the board needs it."""

    @property
    def appointment_id(self) -> int | None: ...
    @property
    def patient_id(self) -> int: ...
    @property
    def submitted_at(self) -> datetime: ...
    @property
    def outcome(self) -> str: ...


def check_flag(
    appointment_id: int, patient_id: int, day: date, answers: Sequence[Answers]
) -> tuple[str, str, str] | None:
    """The flag of the newest check for a visit: its own answers, else the patient's recent untied ones.

    ``answers`` are in the order they were submitted.
    """
    own = [a for a in answers if a.appointment_id == appointment_id]
    recent = [
        a
        for a in answers
        if a.patient_id == patient_id
        and a.appointment_id is None
        and day - CHECK_LOOKBACK <= a.submitted_at.date() <= day
    ]
    candidates = own or recent
    chosen = candidates[-1] if candidates else None
    if chosen is not None and chosen.outcome in CHECK_FLAGS:
        return CHECK_FLAGS[chosen.outcome]
    return None


def undo_target(state: str, recorded: Sequence[str]) -> str | None:
    """The step a visit goes back to when its latest step is undone; None when nothing was recorded yet.

    That is the latest step recorded before the current one, else "expected".
    """
    if state == "expected":
        return None
    earlier = [s for s in recorded if BOARD_STATES.index(s) < BOARD_STATES.index(state)]
    return max(earlier, key=BOARD_STATES.index) if earlier else "expected"


TimeProblem = tuple[str, dict[str, str]]
"""A refused time: the message (with ``{placeholders}``, translated by the caller) and its values."""
TIME_PROBLEMS = {
    "unrecorded": "That step is not recorded, so its time cannot be corrected.",
    "day": "The time must be on the day of the visit.",
    "future": "The time cannot be in the future (it is {now} now).",
    "before": "The time cannot be before the step recorded before it ({time}).",
    "after": "The time cannot be after the step recorded after it ({time}).",
}


def time_problem(
    state: str, new_at: datetime, recorded: Mapping[str, datetime], day: date, zone: ZoneInfo, now: datetime
) -> TimeProblem | None:
    """Why ``new_at`` cannot be the corrected time of the recorded step ``state``, or None when it can.

    The time stays on the visit's day, not after now, and between the steps recorded before and after it
    (an infusion cannot start before the patient checked in).
    """

    def clock(instant: datetime) -> str:
        return instant.astimezone(zone).strftime("%H:%M")

    if state not in recorded:
        return TIME_PROBLEMS["unrecorded"], {}
    if new_at.astimezone(zone).date() != day:
        return TIME_PROBLEMS["day"], {}
    if new_at > now:
        return TIME_PROBLEMS["future"], {"now": clock(now)}
    rank = BOARD_STATES.index(state)
    before = [at for s, at in recorded.items() if BOARD_STATES.index(s) < rank]
    after = [at for s, at in recorded.items() if BOARD_STATES.index(s) > rank]
    if before and new_at < max(before):
        return TIME_PROBLEMS["before"], {"time": clock(max(before))}
    if after and new_at > min(after):
        return TIME_PROBLEMS["after"], {"time": clock(min(after))}
    return None


def by_chair(rows: Sequence[BoardRow]) -> list[tuple[str, list[BoardRow]]]:
    """The scheduled visits grouped by chair (chairs in code order), each chair's visits in time order."""
    chairs: dict[str, list[tuple[datetime, str, BoardRow]]] = {}
    for row in rows:
        if row.chair is not None and row.planned_start is not None:
            chairs.setdefault(row.chair, []).append((row.planned_start, row.reference, row))
    return [
        (chair, [row for _, _, row in sorted(visits, key=lambda v: v[:2])]) for chair, visits in sorted(chairs.items())
    ]

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
# Outcome of the pre-infusion check -> (icon, words, tag style). The words carry the meaning.
CHECK_FLAGS = {
    "proceed": ("✓", "Check: fine to proceed", "ok"),
    "call-center": ("☎", "Check: call the center", "review"),
    "do-not-come": ("⛔", "Check: do not infuse", "alert"),
}
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

    @property
    def blocked(self) -> bool:
        """Whether the infusion may not start until staff record the missing checks or a clinician confirms."""
        return bool(self.missing_checks) or self.clinician_gate is not None

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

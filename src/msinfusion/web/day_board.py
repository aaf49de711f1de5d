"""The day board: where each of the day's patients is (expected, checked in, … discharged), their
pre-infusion check outcome, and when their observation and visit should end.

Times come from the visit timeline of the catalog (:func:`msinfusion.visits.phases_for_treatment`),
anchored at the planned start and re-anchored at the latest step the nurses recorded, so a slow
infusion moves the observation end with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.models import BOARD_STATES, Appointment, Center, Chair, CheckAnswers, Patient
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.visits import VisitPhase
from msinfusion.web.center_catalog import CenterCatalog, center_catalog

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

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def next_words(self) -> str | None:
        return STATE_WORDS[self.next_state] if self.next_state else None


def visit_phases(catalog: CenterCatalog, treatment: str) -> list[VisitPhase]:
    """The center's visit phases for a treatment code (none for a code the catalog does not know)."""
    try:
        return catalog.phases(treatment)
    except KeyError:
        return []


def next_state(state: str, phases: list[VisitPhase]) -> str | None:
    """The state after ``state``, skipping steps this visit does not have (no premedication, say)."""
    names = {p.name for p in phases}
    for candidate in BOARD_STATES[BOARD_STATES.index(state) + 1 :]:
        phase = STATE_PHASE.get(candidate)
        if phase is None or phase in names or not names:
            return candidate
    return None


def _timeline(
    phases: list[VisitPhase], planned_start: datetime | None, events: dict[str, datetime]
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


def board_rows(db: Session, center_id: int, day: date) -> list[BoardRow]:
    """The day's booked appointments in planned order (unscheduled ones last)."""
    rows = db.execute(
        select(Appointment, Patient, Chair.code)
        .join(Patient, Patient.id == Appointment.patient_id)
        .outerjoin(Chair, Chair.id == Appointment.chair_id)
        .where(Appointment.center_id == center_id, Appointment.day == day, Appointment.status == "booked")
    ).all()
    ids = [appointment.id for appointment, _, _ in rows]
    events: dict[int, dict[str, datetime]] = {}
    for event in db.scalars(
        select(BoardEvent).where(BoardEvent.appointment_id.in_(ids)).order_by(BoardEvent.at, BoardEvent.id)
    ):
        events.setdefault(event.appointment_id, {})[event.state] = event.at
    checks = _check_outcomes(db, [(a.id, p.id) for a, p, _ in rows], day)
    board = []
    catalog = center_catalog(db, center_id)
    for appointment, patient, chair in rows:
        phases = visit_phases(catalog, appointment.treatment)
        seen = events.get(appointment.id, {})
        observation_end, finish = _timeline(phases, appointment.starts_at, seen)
        board.append(
            BoardRow(
                appointment_id=appointment.id,
                patient_id=patient.id,
                patient=patient.display_name,
                reference=patient.reference,
                treatment=appointment.treatment,
                chair=chair,
                planned_start=appointment.starts_at,
                state=appointment.board_state,
                state_since=seen.get(appointment.board_state),
                next_state=next_state(appointment.board_state, phases),
                check=checks.get(appointment.id),
                observation_end=observation_end,
                expected_finish=finish,
                discharged_at=seen.get("discharged"),
            )
        )
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    return sorted(board, key=lambda r: (r.planned_start or far, r.reference))


def _check_outcomes(db: Session, appointments: list[tuple[int, int]], day: date) -> dict[int, tuple[str, str, str]]:
    """Each appointment's newest check outcome: its own answers, else the patient's recent ones."""
    if not appointments:
        return {}
    patients = {patient for _, patient in appointments}
    answers = db.scalars(
        select(CheckAnswers).where(CheckAnswers.patient_id.in_(patients)).order_by(CheckAnswers.submitted_at)
    ).all()
    found: dict[int, tuple[str, str, str]] = {}
    for appointment_id, patient_id in appointments:
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
            found[appointment_id] = CHECK_FLAGS[chosen.outcome]
    return found


def local(instant: datetime | None, zone: ZoneInfo) -> str:
    """``HH:MM`` in the center's time zone, or an en dash."""
    return instant.astimezone(zone).strftime("%H:%M") if instant else "–"


def center_zone(db: Session, center_id: int) -> ZoneInfo:
    return ZoneInfo(db.get_one(Center, center_id).timezone)

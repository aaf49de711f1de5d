"""The day board read from the database: the day's booked appointments with their recorded steps and
check answers, handed to the board's rules (:mod:`msinfusion.board`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.board import BOARD_STATES, BoardRow, check_flag, expected_ends, next_state
from msinfusion.db.center_catalog import CenterCatalog, center_catalog
from msinfusion.db.clinical_records import patients_with_reactions, reactions_of, recorded_checks
from msinfusion.db.models import Appointment, Center, Chair, CheckAnswers, Patient, Prescription
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.dose_checks import missing_checks
from msinfusion.reactions import option_problem, retreatment_gate
from msinfusion.visits import VisitPhase, treatment_codes


def visit_phases(catalog: CenterCatalog, treatment: str, *, after_reaction: bool = False) -> list[VisitPhase]:
    """The center's visit phases for a treatment code (none for a code the catalog does not know)."""
    try:
        return catalog.phases(treatment, after_reaction=after_reaction)
    except KeyError:
        return []


def dose_number(appointment: Appointment, prescription: Prescription) -> int:
    """The dose an appointment is for: its booked dose number, else the next dose not yet given."""
    if appointment.dose_index is not None and appointment.dose_index >= 1:
        return appointment.dose_index
    return len(prescription.given_doses) + 1


def dose_guards(db: Session, catalog: CenterCatalog, appointment: Appointment) -> tuple[tuple[str, ...], str | None]:
    """The checks required before the appointment's dose that are not recorded, and a clinician gate, if any."""
    if appointment.prescription_id is None:
        return (), None
    prescription = db.get_one(Prescription, appointment.prescription_id)
    therapy = catalog.therapy(prescription.therapy_id)
    number = dose_number(appointment, prescription)
    state = missing_checks(therapy, number, recorded_checks(db, prescription.id, number))
    reactions = reactions_of(db, prescription.id)
    gate = retreatment_gate(therapy, reactions)
    missing = tuple(f"{c.what} not recorded for dose {number}" for c in state.missing)
    reasons = [gate.reason or "serious infusion reaction on record"] if gate.needs_clinician else []
    code = treatment_codes().get(appointment.treatment)
    refused = option_problem(therapy, code.infusion, reactions) if code and code.therapy == therapy.id else None
    if refused:
        reasons.append(refused)  # the 2-hour OCREVUS infusion after a serious reaction
    return missing, "; ".join(reasons) or None


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
    patients = {patient.id for _, patient, _ in rows}
    answers = (
        db.scalars(
            select(CheckAnswers).where(CheckAnswers.patient_id.in_(patients)).order_by(CheckAnswers.submitted_at)
        ).all()
        if rows
        else []
    )
    board = []
    catalog = center_catalog(db, center_id)
    reacted = patients_with_reactions(db, patients)
    for appointment, patient, chair in rows:
        phases = visit_phases(catalog, appointment.treatment, after_reaction=patient.id in reacted)
        missing, gate = dose_guards(db, catalog, appointment)
        seen = events.get(appointment.id, {})
        observation_end, finish = expected_ends(phases, appointment.starts_at, seen)
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
                check=check_flag(appointment.id, patient.id, day, answers),
                observation_end=observation_end,
                expected_finish=finish,
                discharged_at=seen.get("discharged"),
                missing_checks=missing,
                clinician_gate=gate,
                recorded=tuple(sorted(seen.items(), key=lambda item: BOARD_STATES.index(item[0]))),
                version=appointment.version,
            )
        )
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    return sorted(board, key=lambda r: (r.planned_start or far, r.reference))


def center_zone(db: Session, center_id: int) -> ZoneInfo:
    """The center's time zone."""
    return ZoneInfo(db.get_one(Center, center_id).timezone)


def check_of(db: Session, appointment: Appointment) -> tuple[str, str, str] | None:
    """The check flag of one appointment (as its card shows it)."""
    answers = db.scalars(
        select(CheckAnswers)
        .where(CheckAnswers.patient_id == appointment.patient_id)
        .order_by(CheckAnswers.submitted_at)
    ).all()
    return check_flag(appointment.id, appointment.patient_id, appointment.day, answers)

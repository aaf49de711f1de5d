"""The center's recorded visits read back as history for learned durations (:mod:`msinfusion.scheduling.durations`).

The day board stores each step a nurse records as a :class:`BoardEvent` (state and time). A visit's
times are: check-in (``checked_in``), infusion start (``infusing``), infusion end (``observation``: the
board moves a patient to observation when the infusion ends) and discharge (``discharged``), each the
latest event of its state (a step recorded again, or undone and recorded again, counts once), as
minutes after local midnight in the center's time zone. A visit without an observation step leaves its
infusion end unknown: its infusion and after-infusion segments are not counted, its stay still is.

The dose step is the catalog's dosing rule that covers the appointment's dose (``"3-"``: dose 3
onwards), so the same treatment code's steps can be told apart. Cancelled appointments are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.models import Appointment, Center
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.scheduling.durations import LearnedDurations, VisitTimes, learn_durations
from msinfusion.therapies import load_catalog
from msinfusion.visits import treatment_codes

__all__ = ["dose_step_label", "learned_durations", "recorded_visits"]

# Board state -> the VisitTimes field its time is.
_TIMES = {
    "checked_in": "check_in",
    "infusing": "infusion_start",
    "observation": "infusion_end",
    "discharged": "discharge",
}


def dose_step_label(treatment: str, dose: int | None) -> str | None:
    """The dosing rule covering ``dose`` of ``treatment`` as ``first-last`` (``"1-2"``, ``"3-"``); the
    treatment code's own dose when ``dose`` is unknown; None for a code the catalog does not know."""
    spec = treatment_codes().get(treatment)
    if spec is None:
        return None
    therapy = load_catalog().get(spec.therapy)
    try:
        step = therapy.dose_step(dose if dose is not None and dose >= 1 else spec.dose_number)
    except ValueError:
        step = therapy.dose_step(spec.dose_number)
    return f"{step.doses.first}-{step.doses.last if step.doses.last is not None else ''}"


def recorded_visits(db: Session, center_id: int, *, before: date | None = None) -> list[VisitTimes]:
    """Every visit of the center with at least one recorded board step (days before ``before`` only,
    when given), oldest first."""
    zone = ZoneInfo(db.get_one(Center, center_id).timezone)
    query = (
        select(Appointment.id, Appointment.treatment, Appointment.dose_index, BoardEvent.state, BoardEvent.at)
        .join(BoardEvent, BoardEvent.appointment_id == Appointment.id)
        .where(Appointment.center_id == center_id, Appointment.status != "cancelled")
        .order_by(Appointment.day, Appointment.id, BoardEvent.at, BoardEvent.id)
    )
    if before is not None:
        query = query.where(Appointment.day < before)
    visits: dict[int, tuple[str, int | None, dict[str, int]]] = {}
    for appointment_id, treatment, dose, state, at in db.execute(query):
        field = _TIMES.get(state)
        entry = visits.setdefault(appointment_id, (treatment, dose, {}))
        if field is not None:
            entry[2][field] = _minutes(at, zone)  # ordered by time: the latest of a state wins
    return [
        VisitTimes(treatment=treatment, dose_step=dose_step_label(treatment, dose), **times)
        for treatment, dose, times in visits.values()
    ]


def learned_durations(
    db: Session, center_id: int, *, before: date | None = None
) -> Mapping[tuple[str, str | None], LearnedDurations]:
    """The center's duration distributions per treatment code and dose step (step None: pooled)."""
    return learn_durations(recorded_visits(db, center_id, before=before))


def _minutes(at: datetime, zone: ZoneInfo) -> int:
    local = at.astimezone(zone)
    return local.hour * 60 + local.minute

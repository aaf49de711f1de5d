"""Synthetic demo history: past visits with board steps, so the demo's learned durations and what-if
page have something to show. THIS IS MADE-UP DEMO DATA, NOT CLINICAL DATA.

Each dose the demo recorded as given in the last :data:`HISTORY_DAYS` days becomes a completed visit
whose board steps (check-in, premedication, infusion start, observation, discharge) are the center's
label timeline for the dose, stretched by the simulation's documented default variability
(:mod:`msinfusion.scheduling.simulation`: a mean-preserving lognormal factor, CV 0.2 for the infusion
and :data:`OTHER_CV` for the other parts, and an infusion reaction in 1 visit in 10 adding 15-60
minutes; `shared/reference/scheduling.md` §2). Nothing here is a measured time.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.center_catalog import center_catalog
from msinfusion.db.models import Appointment, Center, GivenDose, Patient, Prescription
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.scheduling.durations import segment_of
from msinfusion.scheduling.simulation import SimulationSettings
from msinfusion.visits import VisitPhase

__all__ = ["HISTORY_DAYS", "record_demo_history"]

HISTORY_DAYS = 730
"""How far back given doses get a synthetic visit."""
OTHER_CV = 0.1
"""Spread of the parts of a demo visit other than the infusion (check-in, premedication, observation)."""
SEED = 13
# Board state recorded at the start of each phase (discharged: at the end of the visit).
_STATE_AT_PHASE = {
    "check-in": "checked_in",
    "premedication": "premedication",
    "infusion": "infusing",
    "observation": "observation",
}


def _factor(rng: random.Random, cv: float) -> float:
    sigma = math.sqrt(math.log(1 + cv * cv))
    return rng.lognormvariate(-sigma * sigma / 2, sigma)


def _actual_minutes(phases: list[VisitPhase], rng: random.Random, defaults: SimulationSettings) -> list[int]:
    """The phases' minutes in one made-up visit (see the module docstring)."""
    minutes = []
    for phase, segment in zip(phases, segment_of(phases), strict=True):
        if segment == "infusion":
            drawn = phase.minutes * _factor(rng, defaults.infusion_cv)
            if rng.random() < defaults.reaction_rate:
                drawn += rng.randint(*defaults.reaction_minutes)
        else:
            drawn = phase.minutes * _factor(rng, OTHER_CV)
        minutes.append(max(1, round(drawn)))
    return minutes


def record_demo_history(db: Session, center_id: int, nurse_user_id: int, today: date) -> int:
    """Give each recently given dose of the center a completed visit with board steps; returns how many."""
    center = db.get_one(Center, center_id)
    zone = ZoneInfo(center.timezone)
    catalog = center_catalog(db, center_id)
    defaults = SimulationSettings()
    rng = random.Random(SEED)
    doses = db.execute(
        select(GivenDose, Prescription)
        .join(Prescription, Prescription.id == GivenDose.prescription_id)
        .join(Patient, Patient.id == Prescription.patient_id)
        .where(Patient.center_id == center_id, GivenDose.given_on >= today - timedelta(days=HISTORY_DAYS))
        .where(GivenDose.given_on < today)
        .order_by(GivenDose.given_on, GivenDose.id)
    ).all()
    visits = 0
    for given, prescription in doses:
        therapy = catalog.therapy(prescription.therapy_id)
        if given.dose_index is None:
            continue
        try:
            treatment = therapy.dose_step(given.dose_index).treatment
            phases = catalog.phases(treatment)
        except (KeyError, ValueError):
            continue
        planned = sum(p.minutes for p in phases)
        start = datetime.combine(given.given_on, time(8)) + timedelta(minutes=15 * rng.randrange(0, 20))
        starts_at = start.replace(tzinfo=zone)
        appointment = Appointment(
            center_id=center_id,
            patient_id=prescription.patient_id,
            prescription_id=prescription.id,
            dose_index=given.dose_index,
            treatment=treatment,
            day=given.given_on,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=planned),
            status="completed",
            board_state="discharged",
        )
        db.add(appointment)
        db.flush()
        at = starts_at + timedelta(minutes=rng.randint(-10, 15))  # the patient arrives around their time
        for phase, minutes in zip(phases, _actual_minutes(phases, rng, defaults), strict=True):
            state = _STATE_AT_PHASE.get(phase.name)
            if state is not None:
                db.add(BoardEvent(appointment_id=appointment.id, state=state, at=at, user_id=nurse_user_id))
            at += timedelta(minutes=minutes)
        db.add(BoardEvent(appointment_id=appointment.id, state="discharged", at=at, user_id=nurse_user_id))
        visits += 1
    db.flush()
    return visits

"""A full day on the board for demos, tests and the board benchmark: 40 booked visits at a center, with
chairs, nurses on shift and an accepted day schedule (the greedy baseline, or CP-SAT).

The visits come from :func:`msinfusion.scheduling.demo_day.make_demo_day` (the catalog's visit timelines
and a realistic therapy mix); each gets its own demo patient.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db import day_schedule
from msinfusion.db.models import Appointment, CenterHours, Chair, Nurse, NurseShift, Patient
from msinfusion.scheduling.demo_day import make_demo_day
from msinfusion.scheduling.solve import solve

BOARD_VISITS = 40
BOARD_CHAIRS = 14
BOARD_NURSES = 5


@dataclass(frozen=True)
class BoardDay:
    """What was seeded: the appointment rows (in the demo day's order) and the accepted run."""

    appointment_ids: list[int]
    patient_ids: list[int]
    job_id: int
    scheduled: int


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def seed_board_day(
    db: Session,
    center_id: int,
    day: date,
    scheduler_id: int,
    now: datetime,
    *,
    visits: int = BOARD_VISITS,
    chairs: int = BOARD_CHAIRS,
    nurses: int = BOARD_NURSES,
    seed: int = 0,
    solver: str = "greedy",
) -> BoardDay:
    """Give the center a day of ``visits`` booked visits with an accepted schedule (in the caller's transaction).

    Opening hours for the weekday, chairs ``C01``.. and nurses ``N1``.. are added where missing.
    """
    demo = make_demo_day(chairs, nurses, visits, seed, date=day)
    center = demo.center
    weekday = day.weekday()
    hours = db.scalar(select(CenterHours).where(CenterHours.center_id == center_id, CenterHours.weekday == weekday))
    if hours is None:
        db.add(
            CenterHours(center_id=center_id, weekday=weekday, opens=_clock(center.opens), closes=_clock(center.closes))
        )
    else:
        hours.opens, hours.closes = _clock(center.opens), _clock(center.closes)
    have = set(db.scalars(select(Chair.code).where(Chair.center_id == center_id)))
    db.add_all(
        Chair(center_id=center_id, code=c.id, features=list(c.features)) for c in center.chairs if c.id not in have
    )
    known = {n.code: n for n in db.scalars(select(Nurse).where(Nurse.center_id == center_id))}
    for n in center.nurses:
        nurse = known.get(n.id)
        if nurse is None:
            nurse = Nurse(center_id=center_id, code=n.id, name=f"Nurse {n.id}")
            db.add(nurse)
            db.flush()
        if not any(s.weekday == weekday for s in nurse.shifts):
            db.add(
                NurseShift(nurse_id=nurse.id, weekday=weekday, starts=_clock(n.shift_start), ends=_clock(n.shift_end))
            )
    appointment_ids, patient_ids = [], []
    for number, visit in enumerate(demo.appointments, start=1):
        patient = Patient(center_id=center_id, reference=f"B{number:03d}", display_name=f"Board Patient {number:02d}")
        db.add(patient)
        db.flush()
        row = Appointment(
            center_id=center_id, patient_id=patient.id, treatment=visit.treatment, day=day, status="booked"
        )
        db.add(row)
        db.flush()
        appointment_ids.append(row.id)
        patient_ids.append(patient.id)
    db.flush()
    built = day_schedule.build_day(db, center_id, day)
    job, _ = day_schedule.queue_run(db, built, center_id, scheduler_id, now, time_limit=0)
    schedule = solve(built.day, solver="greedy" if solver == "greedy" else "cp-sat", time_limit=5.0)
    job.status, job.result, job.finished_at = "done", json.loads(schedule.to_json()), now
    job.best_priority = schedule.objective.scheduled_priority
    db.flush()
    day_schedule.accept(db, job, scheduler_id, now)
    db.flush()
    return BoardDay(appointment_ids, patient_ids, job.id, len(schedule.assignments))

"""The what-if page: two schedules of one day played forward many times (:mod:`msinfusion.scheduling.simulation`)
with the center's recorded durations, no-shows and add-ons, compared metric by metric and patient by patient.

The schedules a scheduler may compare are the day's finished optimizer runs (the accepted one, the
schedule in force, and the proposals made since) and the day as booked by the booking engine (every visit
at its booked start and chair, nurses first come, first served: :mod:`msinfusion.db.day_schedule.booked`).
Each is simulated with one seed, so two schedules of one day see the same patients stay away.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db import day_schedule
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.scheduling import Day, Schedule
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.durations import MIN_COUNT, Basis, LearnedDurations
from msinfusion.scheduling.simulation import SimulationResult, SimulationSettings, simulate
from msinfusion.visits import treatment_name

RUNS_SHOWN = 10
"""How many of the day's finished runs the page offers."""
BOOKED = "booked"
"""The key of the day as booked (no optimizer run)."""


@dataclass(frozen=True)
class Choice:
    """One schedule the page can simulate: a finished run of the day, or (``job_id`` None) the day as booked."""

    job_id: int | None
    accepted: bool
    finished: str  # HH:MM UTC, or ""

    @property
    def key(self) -> str:
        return BOOKED if self.job_id is None else f"run-{self.job_id}"

    @property
    def booked(self) -> bool:
        return self.job_id is None


@dataclass(frozen=True)
class Simulated:
    """One chosen schedule, its day and the simulation's averages."""

    choice: Choice
    day: Day
    schedule: Schedule
    result: SimulationResult


@dataclass(frozen=True)
class Metric:
    """One row of the comparison: the result's field, the value under each schedule as text."""

    field: str
    values: list[str]


@dataclass(frozen=True)
class PatientRow:
    """A patient's visit under each schedule: chair and start, and the chance of finishing after closing."""

    patient: str
    treatment: str
    cells: list[tuple[str, str]]  # per schedule: (chair at start, chance) or ("", "") when not scheduled
    worst: float


def choices(db: Session, center_id: int, day: date) -> list[Choice]:
    """The day's finished runs, newest first (the accepted one marked), then the day as booked if it has visits."""
    jobs = db.scalars(
        select(ScheduleJob)
        .where(ScheduleJob.center_id == center_id, ScheduleJob.day == day, ScheduleJob.status == "done")
        .order_by(ScheduleJob.id.desc())
        .limit(RUNS_SHOWN)
    ).all()
    found = [
        Choice(job.id, job.accepted_at is not None, job.finished_at.strftime("%H:%M") if job.finished_at else "")
        for job in jobs
    ]
    if day_schedule.has_booked_visits(db, center_id, day):
        found.append(Choice(None, False, ""))
    return found


def default_keys(found: list[Choice]) -> tuple[str | None, str | None]:
    """Schedule A: the accepted run (else the newest, else the day as booked); B: the newest other run, if any."""
    if not found:
        return None, None
    first = next((c for c in found if c.accepted), found[0])
    second = next((c for c in found if c.job_id not in (first.job_id, None)), None)
    return first.key, second.key if second else None


def loaded(db: Session, choice: Choice, center_id: int, day: date, basis: Basis) -> tuple[Choice, Day, Schedule]:
    """A run's day as it was solved and its schedule, or the day as booked (durations planned on ``basis``);
    read before simulating, outside the transaction."""
    if choice.job_id is None:
        built, schedule = day_schedule.booked_day(db, center_id, day, basis)
        return choice, built, schedule
    solved, schedule = day_schedule.day_and_schedule(db.get_one(ScheduleJob, choice.job_id))
    return choice, solved, schedule


def simulated(run: tuple[Choice, Day, Schedule], settings: SimulationSettings) -> Simulated:
    """Simulate one schedule on its day (a run: the day it was solved for)."""
    choice, day, schedule = run
    return Simulated(choice, day, schedule, simulate(day, schedule, settings))


def _percent(value: float) -> str:
    return f"{100 * value:.0f} %"


def _minutes(value: float) -> str:
    return f"{value:.0f} min"


def _count(value: float) -> str:
    return f"{value:.1f}"


# (SimulationResult field, how it is shown); the page names each field in words.
METRICS: tuple[tuple[str, Callable[[float], str]], ...] = (
    ("expected_overtime_minutes", _minutes),
    ("overtime_chance", _percent),
    ("mean_wait_minutes", _minutes),
    ("p90_wait_minutes", _minutes),
    ("chair_utilization", _percent),
    ("nurse_utilization", _percent),
    ("expected_no_shows", _count),
    ("expected_add_ons", _count),
    ("expected_add_ons_turned_away", _count),
)


def metrics(simulations: list[Simulated]) -> list[Metric]:
    """The averages of every simulated schedule, row by row."""
    return [Metric(field, [show(float(getattr(s.result, field))) for s in simulations]) for field, show in METRICS]


def patient_rows(simulations: list[Simulated], names: Mapping[str, str]) -> list[PatientRow]:
    """Every visit of the compared schedules, the likeliest to finish after closing first."""
    visits: dict[str, tuple[str, str]] = {}
    for s in simulations:
        for appointment in s.day.appointments:
            visits.setdefault(appointment.id, (appointment.patient, appointment.treatment))
    rows = []
    for key, (patient, treatment) in visits.items():
        cells: list[tuple[str, str]] = []
        worst = 0.0
        for s in simulations:
            placed = next((a for a in s.schedule.assignments if a.appointment == key), None)
            if placed is None:
                cells.append(("", ""))
                continue
            chance = s.result.late_chance.get(key, 0.0)
            worst = max(worst, chance)
            cells.append((f"{placed.chair} {format_clock(placed.start)}", _percent(chance)))
        label = f"{names[patient]} ({patient})" if patient in names else patient
        rows.append(PatientRow(label, treatment_name(treatment), cells, worst))
    return sorted(rows, key=lambda r: (-r.worst, r.patient))


def history_used(learned: Mapping[tuple[str, str | None], LearnedDurations], days: list[Day]) -> list[tuple[str, int]]:
    """The day's treatments whose durations vary as recorded at the center, with the visits behind them."""
    codes = sorted({a.treatment for day in days for a in day.appointments})
    used = []
    for code in codes:
        found = learned.get((code, None))
        count = max((d.count for d in found.segments.values()), default=0) if found else 0
        if count >= MIN_COUNT:
            used.append((treatment_name(code), count))
    return used

"""Building the scheduler's input (``msinfusion.day/1``) for one center day from the database.

The day is what the center has on that date: its opening hours for the weekday, its chairs with their
features, the nurses whose shift covers the weekday, the nurse ratio (``centers.max_patients_per_nurse``)
and the booked appointments with their catalog treatment codes (phases are the center's: its overrides
and visit policy applied, see :mod:`msinfusion.db.center_catalog`). A patient already past "expected" on the day board
is fixed to their chair and start; an appointment that already has a time keeps it as its preference.

The phases' minutes follow the chosen basis (:func:`msinfusion.scheduling.durations.plan_durations`):
the label timeline, or the median or 80th percentile of the center's recorded visits
(:mod:`msinfusion.db.visit_history`); :attr:`BuiltDay.history` says how many recorded visits are behind
each treatment's durations, for staff to see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.center_catalog import center_catalog
from msinfusion.db.clinical_records import patients_with_reactions
from msinfusion.db.models import Appointment, Center, CenterHours, Chair, Nurse, NurseShift, Patient
from msinfusion.db.visit_history import learned_durations
from msinfusion.i18n import N_, Message, Translator
from msinfusion.scheduling import Appointment as DayAppointment
from msinfusion.scheduling import Center as DayCenter
from msinfusion.scheduling import Chair as DayChair
from msinfusion.scheduling import Day
from msinfusion.scheduling import Nurse as DayNurse
from msinfusion.scheduling.durations import MIN_COUNT, Basis, history_behind, plan_durations
from msinfusion.visits import treatment_codes


class DayClosed(Exception):
    """The center has no opening hours on that weekday; ``str()`` says so in English, :meth:`in_language`
    in a page's language."""

    def __init__(self, center: str, day: date) -> None:
        super().__init__(f"{center} is closed on {day:%A %-d %B %Y}.")
        self.center = center
        self.day = day

    def in_language(self, t: Translator) -> str:
        return t.gettext(N_("{center} is closed on {date}.")).format(center=self.center, date=t.date(self.day))


@dataclass(frozen=True)
class Skipped:
    """A booked appointment left out of the day, and why."""

    appointment_id: int
    patient: str
    reason: str


@dataclass(frozen=True)
class BuiltDay:
    """The day to solve, with each appointment's row version and what was left out."""

    day: Day
    versions: dict[str, int] = field(default_factory=dict)  # day appointment id -> row version
    skipped: list[Skipped] = field(default_factory=list)
    basis: Basis = "label"
    history: dict[str, int] = field(default_factory=dict)  # treatment code -> recorded visits behind it
    min_count: int = MIN_COUNT

    @property
    def learned(self) -> dict[str, int]:
        """The treatments planned from recorded visits (none on the label basis), with their counts."""
        if self.basis == "label":
            return {}
        return {code: count for code, count in self.history.items() if count >= self.min_count}


def day_appointment_id(appointment_id: int) -> str:
    """The id an appointment row has in the day format (``A12``)."""
    return f"A{appointment_id}"


def row_id(day_appointment: str) -> int:
    """The appointment row id behind a day-format id; ``ValueError`` if it is not one of ours."""
    if not day_appointment.startswith("A") or not day_appointment[1:].isdigit():
        raise ValueError(f"not an appointment id: {day_appointment!r}")
    return int(day_appointment[1:])


def minutes_of(instant: datetime, zone: ZoneInfo) -> int:
    """Minutes after local midnight of an aware instant."""
    local = instant.astimezone(zone)
    return local.hour * 60 + local.minute


def instant_at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of the wall-clock time ``minutes`` after local midnight on ``day``."""
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _clock(value: time) -> int:
    return value.hour * 60 + value.minute


def build_day(db: Session, center_id: int, day: date, basis: Basis = "label") -> BuiltDay:
    """The center's day for the scheduler, its durations planned on ``basis``; raises :class:`DayClosed`
    on a day without opening hours."""
    center = db.get_one(Center, center_id)
    zone = ZoneInfo(center.timezone)
    weekday = day.weekday()
    hours = db.scalar(select(CenterHours).where(CenterHours.center_id == center_id, CenterHours.weekday == weekday))
    if hours is None:
        raise DayClosed(center.name, day)
    chairs = db.scalars(select(Chair).where(Chair.center_id == center_id).order_by(Chair.code)).all()
    shifts = db.execute(
        select(Nurse.code, NurseShift.starts, NurseShift.ends)
        .join(NurseShift, NurseShift.nurse_id == Nurse.id)
        .where(Nurse.center_id == center_id, NurseShift.weekday == weekday)
        .order_by(Nurse.code)
    ).all()
    rows = db.execute(
        select(Appointment, Patient.reference)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(Appointment.center_id == center_id, Appointment.day == day, Appointment.status == "booked")
        .order_by(Appointment.id)
    ).all()
    chair_codes = {chair.id: chair.code for chair in chairs}
    known = treatment_codes()
    catalog = center_catalog(db, center_id)
    # The center's phases per treatment code, and whether the patient had an infusion reaction (observation on).
    phases_of: dict[tuple[str, bool], list[dict[str, object]]] = {}
    reacted = patients_with_reactions(db, {appointment.patient_id for appointment, _ in rows})
    appointments: list[DayAppointment] = []
    versions: dict[str, int] = {}
    skipped: list[Skipped] = []
    for appointment, reference in rows:
        if appointment.treatment not in known:
            code = repr(appointment.treatment)
            skipped.append(Skipped(appointment.id, reference, Message(N_("unknown treatment code {code}"), code=code)))
            continue
        identifier = day_appointment_id(appointment.id)
        key = (appointment.treatment, appointment.patient_id in reacted)
        if key not in phases_of:
            phases_of[key] = [
                {"name": p.name, "minutes": p.minutes, "nurse_minutes": p.nurse_minutes}
                for p in catalog.phases(appointment.treatment, after_reaction=key[1])
            ]
        fields: dict[str, object] = {
            "id": identifier,
            "patient": reference,
            "treatment": appointment.treatment,
            "phases": phases_of[key],
        }
        if appointment.starts_at is not None:
            start = minutes_of(appointment.starts_at, zone)
            fields["preferred_start"] = start
            if appointment.board_state != "expected" and appointment.chair_id in chair_codes:
                fields["fixed"] = {"start": start, "chair": chair_codes[appointment.chair_id]}
        appointments.append(DayAppointment.model_validate(fields))
        versions[identifier] = appointment.version
    built = Day(
        format="msinfusion.day/1",
        center=DayCenter(
            name=center.name,
            date=day,
            timezone=center.timezone,
            opens=_clock(hours.opens),
            closes=_clock(hours.closes),
            chairs=[DayChair(id=chair.code, features=list(chair.features)) for chair in chairs],
            nurses=[DayNurse(id=code, shift_start=_clock(s), shift_end=_clock(e)) for code, s, e in shifts],
            max_patients_per_nurse=center.max_patients_per_nurse,
        ),
        appointments=appointments,
    )
    learned = learned_durations(db, center_id, before=day)
    return BuiltDay(plan_durations(built, learned, basis), versions, skipped, basis, history_behind(built, learned))

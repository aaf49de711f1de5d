"""Typed models for the therapy data files: every clinical value carries its source and status."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from msinfusion.therapies.facts import DoseRange as DoseRange
from msinfusion.therapies.facts import Fact as Fact
from msinfusion.therapies.facts import Period as Period
from msinfusion.therapies.facts import SourceIds as SourceIds
from msinfusion.therapies.facts import Status as Status
from msinfusion.therapies.facts import Strict as _Strict
from msinfusion.therapies.patient_tasks import CheckSchedule as CheckSchedule
from msinfusion.therapies.patient_tasks import PatientTask as PatientTask


class RateStep(_Strict):
    """One step of an explicit rate schedule; ``minutes`` omitted means 'for the rest'."""

    rate: float = Field(gt=0)
    minutes: float | None = Field(default=None, gt=0)


class Ramp(_Strict):
    """Start at ``start``, add ``increment`` every ``every_minutes`` up to ``maximum``; rest at maximum."""

    start: float = Field(gt=0)
    increment: float = Field(ge=0)
    every_minutes: float = Field(gt=0)
    maximum: float = Field(gt=0)


class InfusionProfile(_Strict):
    """How one dose is given: a rate ramp or explicit steps over an amount, or a fixed duration."""

    title: str
    route: Literal["intravenous", "subcutaneous"] = "intravenous"
    unit: Literal["mL/h", "mg/h"] = "mL/h"
    volume_ml: Fact[float] | None = None
    ramp: Fact[Ramp] | None = None
    steps: Fact[list[RateStep]] | None = None
    fixed_minutes: Fact[int] | None = None
    label_minutes: Fact[str] | None = None
    eligibility: str | None = None
    no_prior_serious_reaction: bool = False
    """Offered only to patients with no serious infusion reaction on record (the 2-hour OCREVUS option)."""

    @model_validator(mode="after")
    def _one_way(self) -> InfusionProfile:
        ways = [w for w in (self.ramp, self.steps, self.fixed_minutes) if w is not None]
        if len(ways) != 1:
            raise ValueError("an infusion profile has exactly one of ramp, steps or fixed_minutes")
        if self.unit == "mL/h" and self.fixed_minutes is None and self.volume_ml is None:
            raise ValueError("a mL/h rate schedule needs volume_ml")
        return self


class Premedication(_Strict):
    """A premedication given before the infusion, for the listed doses or course days."""

    drug: str
    amount: Fact[str]
    route: str
    minutes_before: Fact[int] | None = None
    sedating: bool = False
    doses: DoseRange = DoseRange(first=1)
    course_days: DoseRange | None = None
    optional: bool = False


class ObservationRule(_Strict):
    """Minutes of observation after the infusion for a range of dose numbers."""

    doses: DoseRange
    minutes: Fact[int]
    after_reaction: Fact[int] | None = None
    """Observation for these doses once the patient has had an infusion reaction (where the label turns it back on)."""


class DoseStep(_Strict):
    """The amount and infusion profile for a range of dose numbers (or course days)."""

    doses: DoseRange
    amount: Fact[float]
    infusion: str
    options: list[str] = []
    treatment: str


class Maintenance(_Strict):
    """Repeat every ``every``, the first counted from initial dose ``anchor_dose``.

    With ``cycle`` each repeat is the whole initial pattern (e.g. two infusions two weeks apart),
    counted from the first dose of the previous cycle.
    """

    every: Fact[Period]
    anchor_dose: Fact[int]
    cycle: bool = False


class MissedDose(_Strict):
    """What to do when a dose is late: give it as soon as possible, then count from it."""

    rule: Literal["reset-from-late-dose", "do-not-double-up"]
    text: str
    source: SourceIds
    status: Status


class CumulativeCap(_Strict):
    """A lifetime cap on the cumulative dose per body surface area, by jurisdiction."""

    per: Literal["m2"] = "m2"
    limits: dict[str, Fact[float]]


class Course(_Strict):
    """A run of consecutive daily doses (alemtuzumab, IV methylprednisolone)."""

    days: Fact[int]
    day_range: tuple[int, int] | None = None
    after: Fact[Period] | None = None
    after_from: Literal["course-start", "last-dose"] = "course-start"


class Series(_Strict):
    """Initial doses at offsets from dose 1, then maintenance."""

    kind: Literal["series"] = "series"
    initial: list[Fact[Period]]
    initial_min_interval: Fact[Period] | None = None
    """The least time between two initial doses (e.g. rituximab's two infusions 2 weeks apart)."""
    maintenance: Maintenance | None = None


class Courses(_Strict):
    """Planned courses of consecutive-day doses; further courses are clinician decisions."""

    kind: Literal["courses"] = "courses"
    planned: list[Course] = Field(min_length=1)
    further: Course | None = None


class BookingWindow(_Strict):
    """Center booking policy (not a label fact): days before/after the target date a dose may be booked."""

    doses: DoseRange
    before_days: int = Field(ge=0)
    after_days: int = Field(ge=0)


class VaccineLead(_Strict):
    """Weeks before the first dose by which vaccines should be done."""

    live_weeks: int = Field(ge=0)
    non_live_weeks: int = Field(ge=0)


class Monitoring(_Strict):
    """A check required around dosing (labs, scans, enrollment), shown to staff and patients."""

    what: str
    when: str
    fact: Fact[str]
    before_each_dose: bool = False
    check: str | None = Field(None, pattern=r"^[a-z0-9-]+$")
    """The id of the check staff record before a dose (``lvef``); required when ``before_each_dose``."""

    @model_validator(mode="after")
    def _check_named(self) -> Monitoring:
        if self.before_each_dose and self.check is None:
            raise ValueError(f"{self.what!r} is required before each dose, so it needs a check id")
        return self


class InfusionReaction(_Strict):
    """What the label says to do about a mild or moderate infusion reaction: go on at a reduced rate.

    How long the infusion is paused is never a label number ("until symptoms resolve"), so it is not
    here: whoever reports a reaction gives it.
    """

    rate_factor: Fact[float]
    """Fraction of the rate at onset the infusion continues at (0.5 = half the rate)."""
    reduced_minutes: Fact[int] | None = None
    """The reduced rate is kept at least this long (the label then allows stepping back up)."""

    @field_validator("rate_factor")
    @classmethod
    def _a_fraction(cls, fact: Fact[float]) -> Fact[float]:
        if not 0 < fact.value <= 1:
            raise ValueError("rate_factor must be in (0, 1]")
        return fact


class Therapy(_Strict):
    """One therapy of the catalog, loaded from ``therapies/<id>.yaml``."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    generic: str
    brands: list[str]
    labels_file: str
    approval: Literal["on-label", "off-label"] = "on-label"
    route: Literal["intravenous", "subcutaneous"]
    dose_unit: Literal["mg", "mg/m2"] = "mg"
    summary: str
    patient_summary: str
    sources: dict[str, str] = Field(min_length=1)
    regimen: Series | Courses = Field(discriminator="kind")
    dosing: list[DoseStep] = Field(min_length=1)
    infusions: dict[str, InfusionProfile] = Field(min_length=1)
    premedication: list[Premedication] = []
    premedication_none: Fact[str] | None = None
    observation: list[ObservationRule] = Field(min_length=1)
    min_interval: Fact[Period] | None = None
    missed_dose: MissedDose | None = None
    cumulative_cap: CumulativeCap | None = None
    monitoring: list[Monitoring] = []
    late_reactions_hours: Fact[int] | None = None
    after_serious_reaction: Fact[str] | None = None
    infusion_reaction: InfusionReaction | None = None
    vaccine_lead: Fact[VaccineLead] | None = None
    patient_tasks: list[PatientTask] = []
    booking_windows: list[BookingWindow] = Field(min_length=1)
    flags: list[str] = []

    @model_validator(mode="after")
    def _references(self) -> Therapy:
        for step in self.dosing:
            for profile in [step.infusion, *step.options]:
                if profile not in self.infusions:
                    raise ValueError(f"dosing refers to unknown infusion profile {profile!r}")
        checks = {m.what for m in self.monitoring}
        for task in self.patient_tasks:
            if not set(task.monitoring) <= checks:
                raise ValueError(
                    f"task {task.id} names monitoring items not in the file: {set(task.monitoring) - checks}"
                )
        if len({task.id for task in self.patient_tasks}) != len(self.patient_tasks):
            raise ValueError("patient task ids must be unique")
        return self

    def dose_step(self, number: int) -> DoseStep:
        """The amount and infusion profile for dose (or course day) ``number``."""
        for step in self.dosing:
            if step.doses.first <= number and (step.doses.last is None or number <= step.doses.last):
                return step
        raise ValueError(f"{self.id}: no dosing rule covers dose {number}")

    def observation_minutes(self, number: int, *, after_reaction: bool = False) -> Fact[int]:
        """Observation after dose ``number``; ``after_reaction``: the patient has had an infusion reaction."""
        for rule in self.observation:
            if number in rule.doses:
                extra = rule.after_reaction
                if after_reaction and extra is not None and extra.value > rule.minutes.value:
                    return extra
                return rule.minutes
        raise ValueError(f"{self.id}: no observation rule covers dose {number}")

    def premedications(self, number: int, course_day: int | None = None) -> list[Premedication]:
        """Premedications for dose ``number`` (and ``course_day`` within a course)."""
        chosen = []
        for item in self.premedication:
            if number not in item.doses:
                continue
            if item.course_days is not None and (course_day is None or course_day not in item.course_days):
                continue
            chosen.append(item)
        return chosen

    def booking_window(self, number: int) -> BookingWindow:
        """The center's default booking window for dose ``number``."""
        for window in self.booking_windows:
            if window.doses.first <= number and (window.doses.last is None or number <= window.doses.last):
                return window
        raise ValueError(f"{self.id}: no booking window covers dose {number}")

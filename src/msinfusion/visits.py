"""The phases of one visit for one dose: check-in, premedication, infusion, observation, discharge.

Clinical minutes (premedication lead time, infusion, observation) come from the therapy data; the
check-in, discharge and nurse minutes are the center's workload policy (:class:`VisitPolicy`). The
phases are exactly what the day scheduler consumes (``shared/formats/day-schedule.md``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from msinfusion.regimens import PlannedDose
from msinfusion.therapies import Fact, InfusionReaction, Status, Therapy, load_catalog
from msinfusion.therapies.model import Series
from msinfusion.titration import infusion_minutes

if TYPE_CHECKING:
    from msinfusion.i18n import Translator


class VisitPolicy(BaseModel):
    """A center's workload defaults (policy, not label fact); the numbers of the day-schedule example."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_in_minutes: int = Field(15, ge=0, description="Check-in, vitals and IV placement")
    check_in_nurse_minutes: int = Field(15, ge=0)
    premedication_nurse_minutes: int = Field(10, ge=0, description="Giving the premedications")
    infusion_nurse_minutes: int = Field(10, ge=0, description="Starting the infusion and setting the rate")
    observation_nurse_minutes: int = Field(0, ge=0)
    discharge_minutes: int = Field(10, ge=0, description="Vitals, removing the IV, instructions")
    discharge_nurse_minutes: int = Field(10, ge=0)


class VisitPhase(BaseModel):
    """One phase of a visit, in the day-schedule format's terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    minutes: int = Field(ge=0)
    nurse_minutes: int = Field(ge=0)
    starts_after: int = Field(ge=0, description="Minutes after arrival")
    note: str | None = None
    needs_review: bool = False


class VisitTimeline(BaseModel):
    """The whole visit for one dose, with the plain 'plan for about N hours' figure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    therapy: str
    dose_number: int
    treatment: str
    dose_mg: float | None
    phases: list[VisitPhase]
    chair_minutes: int
    nurse_minutes: int
    plan_hours: float
    needs_review: list[str]

    def phase_minutes(self, name: str) -> int:
        """Minutes of the named phase (0 when the visit has no such phase)."""
        return sum(p.minutes for p in self.phases if p.name == name)

    @property
    def plan_text(self) -> str:
        """'about 4 and a half hours' — rounded up to the half hour."""
        whole = int(self.plan_hours)
        half = self.plan_hours - whole >= 0.5
        if whole == 0:
            return "about half an hour"
        unit = "hour" if whole == 1 and not half else "hours"
        return f"about {whole}{' and a half' if half else ''} {unit}"


def plan_hours(chair_minutes: int) -> float:
    """Chair minutes rounded up to the next half hour, in hours."""
    return math.ceil(chair_minutes / 30) / 2


def visit_timeline(
    therapy: Therapy,
    number: int,
    *,
    infusion: str | None = None,
    dose_mg: float | None = None,
    course_day: int | None = None,
    policy: VisitPolicy | None = None,
    after_reaction: bool = False,
) -> VisitTimeline:
    """The visit for dose ``number`` of ``therapy`` (optionally with another infusion profile).

    ``after_reaction``: the patient has had an infusion reaction, so observation is on again where the
    label says so (:func:`msinfusion.reactions.had_reaction_before`).
    """
    policy = policy or VisitPolicy()
    step = therapy.dose_step(number)
    profile_id = infusion or step.infusion
    profile = therapy.infusions[profile_id]
    if dose_mg is None and therapy.dose_unit == "mg":
        dose_mg = step.amount.value
    if profile.unit == "mg/h" and dose_mg is None:
        raise ValueError(f"{therapy.id}: infusion time depends on the dose in mg")
    review: list[str] = []
    premeds = [p for p in therapy.premedications(number, course_day) if not p.optional]
    timed = [p.minutes_before for p in premeds if p.minutes_before is not None]
    premed_minutes = max((f.value for f in timed), default=0)
    if any(f.needs_review for f in timed):
        review.append("premedication timing")
    infuse = infusion_minutes(profile, dose_mg or 0.0)
    for fact in (profile.fixed_minutes, profile.ramp, profile.steps):
        if fact is not None and fact.status is Status.UNCONFIRMED:
            review.append("infusion rate")
    observation = therapy.observation_minutes(number, after_reaction=after_reaction)
    if observation.needs_review:
        review.append("observation time")
    treatment = step.treatment if profile_id == step.infusion else f"{step.treatment}-{profile_id}"
    phases: list[VisitPhase] = []
    clock = 0

    def add(name: str, title: str, minutes: int, nurse: int, note: str | None = None, flag: bool = False) -> None:
        nonlocal clock
        phases.append(
            VisitPhase(
                name=name,
                title=title,
                minutes=minutes,
                nurse_minutes=min(nurse, minutes),
                starts_after=clock,
                note=note,
                needs_review=flag,
            )
        )
        clock += minutes

    add("check-in", "Check-in and vital signs", policy.check_in_minutes, policy.check_in_nurse_minutes)
    if premed_minutes:
        names = ", ".join(p.drug for p in premeds)
        add(
            "premedication",
            "Premedication",
            premed_minutes,
            policy.premedication_nurse_minutes,
            names,
            "premedication timing" in review,
        )
    title = "Injection" if profile.route == "subcutaneous" else "Infusion"
    add("infusion", title, infuse, policy.infusion_nurse_minutes, profile.title)
    if observation.value:
        add(
            "observation",
            "Observation",
            observation.value,
            policy.observation_nurse_minutes,
            observation.note,
            observation.needs_review,
        )
    elif observation.note:
        review_flag = observation.needs_review
        phases.append(
            VisitPhase(
                name="observation",
                title="Observation",
                minutes=0,
                nurse_minutes=0,
                starts_after=clock,
                note=observation.note,
                needs_review=review_flag,
            )
        )
    add("discharge", "Discharge", policy.discharge_minutes, policy.discharge_nurse_minutes)
    nurse_total = sum(p.nurse_minutes for p in phases)
    return VisitTimeline(
        therapy=therapy.id,
        dose_number=number,
        treatment=treatment,
        dose_mg=dose_mg,
        phases=phases,
        chair_minutes=clock,
        nurse_minutes=nurse_total,
        plan_hours=plan_hours(clock),
        needs_review=review,
    )


def dose_visit(
    therapy: Therapy, dose: PlannedDose, policy: VisitPolicy | None = None, *, after_reaction: bool = False
) -> VisitTimeline:
    """The visit for one dose of a calendar."""
    return visit_timeline(
        therapy,
        dose.number,
        infusion=dose.infusion,
        dose_mg=dose.dose_mg,
        course_day=dose.course_day,
        policy=policy,
        after_reaction=after_reaction,
    )


def _date_fact(therapy: Therapy, dose: PlannedDose) -> Fact[object] | None:
    regimen = therapy.regimen
    if isinstance(regimen, Series):
        if dose.number <= len(regimen.initial):
            return regimen.initial[dose.number - 1]  # type: ignore[return-value]
        return regimen.maintenance.every if regimen.maintenance else None  # type: ignore[return-value]
    course = regimen.planned[(dose.course or 1) - 1] if (dose.course or 1) <= len(regimen.planned) else None
    if course is None:
        return None
    if dose.course_day == 1 and course.after is not None:
        return course.after  # type: ignore[return-value]
    return course.days  # type: ignore[return-value]


def value_statuses(therapy: Therapy, dose: PlannedDose, *, after_reaction: bool = False) -> dict[str, str | None]:
    """How firmly each value behind a dose is sourced: ``label``, ``manufacturer``, ``secondary``, ``practice``,
    ``unconfirmed`` or ``center`` (None where the dose has no such value)."""
    profile = therapy.infusions[dose.infusion]
    timing = profile.fixed_minutes or profile.ramp or profile.steps
    premeds = [p.minutes_before for p in therapy.premedications(dose.number, dose.course_day) if not p.optional]
    timed = [f for f in premeds if f is not None]
    weakest = max(timed, key=lambda f: list(Status).index(f.status), default=None)
    date_fact = _date_fact(therapy, dose)
    regimen = therapy.regimen
    initial = isinstance(regimen, Series) and 1 < dose.number <= len(regimen.initial)
    gap = regimen.initial_min_interval if initial and isinstance(regimen, Series) else therapy.min_interval
    observation = therapy.observation_minutes(dose.number, after_reaction=after_reaction)
    return {
        "amount": str(therapy.dose_step(dose.number).amount.status),
        "date": str(date_fact.status) if date_fact is not None else None,
        "min_interval": str(gap.status) if gap is not None and dose.earliest else None,
        "infusion": str(timing.status) if timing is not None else None,
        "premedication": str(weakest.status) if weakest is not None else None,
        "observation": str(observation.status),
    }


@dataclass(frozen=True)
class TreatmentCode:
    """What a treatment code such as ``ocrelizumab-600`` stands for."""

    therapy: str
    dose_number: int
    infusion: str


@functools.cache
def treatment_codes() -> dict[str, TreatmentCode]:
    """Every catalog treatment code (one per dose step and infusion option)."""
    codes: dict[str, TreatmentCode] = {}
    for therapy in load_catalog():
        for step in therapy.dosing:
            codes[step.treatment] = TreatmentCode(therapy.id, step.doses.first, step.infusion)
            for option in step.options:
                codes[f"{step.treatment}-{option}"] = TreatmentCode(therapy.id, step.doses.first, option)
    return codes


def treatment_name(code: str, t: Translator | None = None) -> str:
    """How staff pages name a treatment code: the therapy's name and its dose ("Ocrelizumab IV 600 mg"),
    with the infusion option when the code names one ("..., short infusion"); an unknown code as it is.
    The words around the name and dose are in the language of ``t`` (English without one)."""
    _ = t.gettext if t is not None else str
    spec = treatment_codes().get(code)
    if spec is None:
        return code
    therapy = load_catalog().get(spec.therapy)
    step = therapy.dose_step(spec.dose_number)
    text = f"{therapy.name} {step.amount.value:g} {therapy.dose_unit}"
    if step.amount.status == Status.UNCONFIRMED:
        text += " " + _("(dose unconfirmed)")
    if spec.infusion != step.infusion:
        option = (
            _("short infusion") if spec.infusion == "short" else _("{option} infusion").format(option=spec.infusion)
        )
        text += f", {option}"
    return text


def known_treatments() -> list[str]:
    """Catalog treatment codes, sorted."""
    return sorted(treatment_codes())


def infusion_reaction_for_treatment(code: str) -> InfusionReaction | None:
    """The label's reduced-rate rule for an infusion reaction of a catalog treatment code (None if the
    labels give none); ``KeyError`` when the code is unknown."""
    spec = treatment_codes()[code]
    return load_catalog().get(spec.therapy).infusion_reaction


def phases_for_treatment(
    code: str, policy: VisitPolicy | None = None, therapy: Therapy | None = None, *, after_reaction: bool = False
) -> list[VisitPhase]:
    """The visit phases for a catalog treatment code; ``KeyError`` when the code is unknown.

    ``therapy`` is the center's own version of the code's therapy (with its overrides applied); by
    default the catalog's. Zero-minute phases (an observation left to clinical judgment) are left out,
    as the scheduler needs only the time a chair and a nurse are held. ``after_reaction``: the patient
    has had an infusion reaction, so observation is on again where the label says so.
    """
    spec = treatment_codes()[code]
    if therapy is None:
        therapy = load_catalog().get(spec.therapy)
    elif therapy.id != spec.therapy:
        raise ValueError(f"treatment {code!r} belongs to {spec.therapy}, not {therapy.id}")
    course_day = 1 if therapy.regimen.kind == "courses" else None
    timeline = visit_timeline(
        therapy,
        spec.dose_number,
        infusion=spec.infusion,
        course_day=course_day,
        policy=policy,
        after_reaction=after_reaction,
    )
    return [p for p in timeline.phases if p.minutes > 0]

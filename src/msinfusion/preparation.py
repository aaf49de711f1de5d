"""The preparation plan for one visit: dated tasks, each with a reason a patient understands.

The advice follows the seed article (what a patient needs to know before an MS infusion), made
personal: the visit's premedication decides whether a driver is needed, the visit timeline gives
the arrival and finish times, the center gives its day-of rules and amenities, and the therapy's
monitoring items add therapy-specific tasks (with their label sources). All text is ours and goes
through the patient's :class:`~msinfusion.i18n.Translator`.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from msinfusion.card import CardDetails
from msinfusion.center import Amenity, CenterProfile, DayRule, DriverPolicy
from msinfusion.i18n import Translator
from msinfusion.regimens import PlannedDose
from msinfusion.therapies import Status, Therapy
from msinfusion.visits import VisitTimeline

SEED = "seed"
"""Source marker for advice taken from the seed article (shared/seed/), not from a label."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(StrEnum):
    """When a task is done, relative to the visit."""

    WEEK_BEFORE = "week-before"
    DAYS_BEFORE = "days-before"
    DAY_BEFORE = "day-before"
    DAY_OF = "day-of"
    AFTER = "after"


def stage_title(stage: Stage, t: Translator) -> str:
    """The heading of a stage."""
    _ = t.gettext
    titles = {
        Stage.WEEK_BEFORE: _("A week before"),
        Stage.DAYS_BEFORE: _("In the days before"),
        Stage.DAY_BEFORE: _("The day before"),
        Stage.DAY_OF: _("On the day"),
        Stage.AFTER: _("After the visit"),
    }
    return titles[stage]


class Task(_Strict):
    """One thing to do (or know) before or after a visit."""

    id: str = Field(description="Stable key, the same in every language")
    stage: Stage
    due: datetime.date
    title: str
    detail: str
    reason: str
    items: list[str] = []
    sources: list[str] = Field([], description="Label source ids ('ocrelizumab:S3') or 'seed'")
    needs_review: bool = False


class VisitTimes(_Strict):
    """Clock times of one visit: the chair start (check-in) is the scheduled start."""

    start: datetime.datetime
    confirmed: bool = Field(description="False while the time is the center's default, to be confirmed")
    arrive_by: datetime.datetime
    finish: datetime.datetime
    phases: list[tuple[str, datetime.datetime, int]] = Field(description="(phase name, start, minutes)")


def visit_times(
    center: CenterProfile,
    day: datetime.date,
    timeline: VisitTimeline,
    booked: datetime.datetime | None = None,
) -> VisitTimes:
    """When to arrive, when each phase starts and the expected finish (start + chair minutes)."""
    if booked is not None:
        start = booked if booked.tzinfo else booked.replace(tzinfo=center.zone)
    else:
        start = datetime.datetime.combine(day, center.default_start_on(day), tzinfo=center.zone)
    phases = [
        (
            "injection" if p.title == "Injection" else p.name,
            start + datetime.timedelta(minutes=p.starts_after),
            p.minutes,
        )
        for p in timeline.phases
        if p.minutes
    ]
    return VisitTimes(
        start=start,
        confirmed=booked is not None,
        arrive_by=start - datetime.timedelta(minutes=center.arrive_early_minutes),
        finish=start + datetime.timedelta(minutes=timeline.chair_minutes),
        phases=phases,
    )


def plan_for_text(hours: float, t: Translator) -> str:
    """'about 4 and a half hours' in the patient's language (hours are rounded up to the half hour)."""
    whole = int(hours)
    half = hours - whole >= 0.5
    if whole == 0:
        return t.gettext("about half an hour")
    if half:
        return t.ngettext("about {n} and a half hours", "about {n} and a half hours", whole).format(n=whole)
    return t.ngettext("about {n} hour", "about {n} hours", whole).format(n=whole)


class PreparationPlan(_Strict):
    """Every task for one visit, in the order the patient meets them."""

    dose_number: int
    visit_date: datetime.date
    first_infusion: bool
    driver_needed: bool
    tasks: list[Task]

    def by_stage(self) -> list[tuple[Stage, list[Task]]]:
        """Tasks grouped by stage, stages in time order (tasks by due date), empty stages left out."""
        groups = [(stage, sorted((t for t in self.tasks if t.stage is stage), key=lambda t: t.due)) for stage in Stage]
        return [(stage, tasks) for stage, tasks in groups if tasks]

    def task(self, task_id: str) -> Task:
        """The task with ``task_id``; ``KeyError`` when the plan has none."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    @property
    def ids(self) -> list[str]:
        return [task.id for task in self.tasks]


def amenity_name(amenity: Amenity, t: Translator) -> str:
    """An amenity in plain words."""
    _ = t.gettext
    names = {
        Amenity.WATER: _("water"),
        Amenity.COFFEE: _("coffee and tea"),
        Amenity.SNACKS: _("snacks"),
        Amenity.BLANKETS: _("blankets"),
        Amenity.PILLOWS: _("pillows"),
        Amenity.WIFI: _("free Wi-Fi"),
        Amenity.TV: _("TV"),
        Amenity.CHARGERS: _("phone chargers"),
        Amenity.PARKING: _("free parking"),
    }
    return names[amenity]


def premedication_names(therapy: Therapy, dose: PlannedDose, t: Translator) -> list[str]:
    """The premedications planned for a dose, in the patient's language."""
    return [t.gettext(p.drug) for p in therapy.premedications(dose.number, dose.course_day)]


def _rule_text(rule: DayRule | None, t: Translator, default: str, unset: str) -> str:
    if rule is None:
        return unset
    if t.locale in rule.wording:
        return rule.wording[t.locale]
    if rule.hours_before is not None:
        return default.format(n=rule.hours_before)
    return unset


def _monitoring_sources(therapy: Therapy, prefix: str) -> tuple[list[str], bool]:
    """Source ids (with the labels-file prefix) of monitoring items whose name starts with ``prefix``."""
    stem = therapy.labels_file.removesuffix(".md")
    facts = [m.fact for m in therapy.monitoring if m.what.lower().startswith(prefix)]
    sources = sorted({f"{stem}:{s}" for f in facts for s in f.source})
    return sources, any(f.status is Status.UNCONFIRMED for f in facts)


def _therapy_tasks(therapy: Therapy, dose: PlannedDose, t: Translator) -> list[Task]:
    """Tasks from the therapy's monitoring items (vaccines, antiviral, TOUCH, heart test, ...)."""
    _ = t.gettext
    day = dose.date
    tasks: list[Task] = []

    def add(task_id: str, stage: Stage, days_before: int, title: str, detail: str, reason: str, prefix: str) -> None:
        sources, review = _monitoring_sources(therapy, prefix)
        if sources:
            tasks.append(
                Task(
                    id=task_id,
                    stage=stage,
                    due=day - datetime.timedelta(days=days_before),
                    title=title,
                    detail=detail,
                    reason=reason,
                    sources=sources,
                    needs_review=review,
                )
            )

    first = dose.number == 1
    lead = therapy.vaccine_lead
    if first and lead is not None:
        # The weeks come from the therapy data file, with their label source.
        weeks = lead.value
        stem = therapy.labels_file.removesuffix(".md")
        tasks.append(
            Task(
                id="vaccines",
                stage=Stage.DAYS_BEFORE,
                due=day - datetime.timedelta(weeks=weeks.live_weeks),
                title=_("Check your vaccines well before the first dose"),
                detail=_(
                    "Ask your care team which vaccines you need. Live vaccines should be done at least {live} "
                    "weeks before your first dose, and other vaccines at least {other} weeks before, when possible."
                ).format(live=weeks.live_weeks, other=weeks.non_live_weeks),
                reason=_("This medicine can make vaccines work less well, so timing matters."),
                sources=[f"{stem}:{sid}" for sid in lead.source],
                needs_review=lead.needs_review,
            )
        )
    if first:
        first_dose_checks = [
            m for m in therapy.monitoring if m.when == "before the first dose" and not m.what.startswith("Vaccination")
        ]
        if first_dose_checks:
            stem = therapy.labels_file.removesuffix(".md")
            tasks.append(
                Task(
                    id="first-dose-tests",
                    stage=Stage.DAYS_BEFORE,
                    due=day - datetime.timedelta(days=7),
                    title=_("Make sure your tests before the first dose are done"),
                    detail=_(
                        "Your team needs some tests, such as blood tests, before the first dose. "
                        "Ask if they are done and if the results are in."
                    ),
                    reason=_("The center cannot start the first dose without these results."),
                    sources=sorted({f"{stem}:{s}" for m in first_dose_checks for s in m.fact.source}),
                    needs_review=any(m.fact.needs_review for m in first_dose_checks),
                )
            )
    if dose.course_day in (None, 1):
        add(
            "antiviral",
            Stage.DAYS_BEFORE,
            3,
            _("Get your antiviral medicine ready"),
            _(
                "Pick up the antiviral medicine your doctor prescribed. You start it on the first day of the "
                "course and keep taking it for at least 2 months after, or as your doctor says."
            ),
            _("It helps prevent herpes infections, which are more likely after this medicine."),
            "herpes antiviral",
        )
    add(
        "touch",
        Stage.DAYS_BEFORE,
        3,
        _("Stay enrolled in the TOUCH program"),
        _(
            "Before each infusion, the center checks that you are enrolled and approved in the TOUCH program, "
            "and a nurse asks you a few questions. If you had a missed dose or got a letter about your "
            "approval, call the center now."
        ),
        _("This medicine can only be given to people who are approved in this safety program."),
        "touch",
    )
    add(
        "rems",
        Stage.DAYS_BEFORE,
        3,
        _("Check that your safety program approval is current"),
        _(
            "This medicine is given through a safety program. Ask the center whether anything is needed "
            "from you before this infusion."
        ),
        _("The center can only give this medicine to people who are approved in the program."),
        "rems",
    )
    add(
        "heart-test",
        Stage.DAYS_BEFORE,
        7,
        _("Have your heart test before this dose"),
        _(
            "Your team needs a heart test (an echocardiogram or MUGA scan) before every dose. "
            "Book it if it is not done."
        ),
        _("This medicine can harm the heart, and there is a lifetime limit on how much you can have."),
        "lvef (",
    )
    add(
        "blood-tests",
        Stage.DAYS_BEFORE,
        3,
        _("Have your blood tests before this dose"),
        _("Your team needs blood tests and a pregnancy test, if it can apply to you, before every dose."),
        _("The results show whether it is safe to give this dose."),
        "blood count, liver",
    )
    add(
        "pregnancy",
        Stage.DAYS_BEFORE,
        3,
        _("Tell the center if you could be pregnant"),
        _("Before each infusion, your team checks whether you could be pregnant. Tell them if you think you might be."),
        _("The label asks your team to check this before every infusion."),
        "pregnancy status",
    )
    add(
        "monthly-tests",
        Stage.AFTER,
        -28,
        _("Keep up your monthly blood and urine tests"),
        _("Have a blood test and a urine test every month, for 4 years after your last dose."),
        _("These tests find rare side effects early, when they are easier to treat."),
        "blood count, creatinine",
    )
    return tasks


def _driver_reasons(therapy: Therapy, dose: PlannedDose, center: CenterProfile, t: Translator) -> list[str]:
    _ = t.gettext
    reasons = []
    sedating = [p for p in therapy.premedications(dose.number, dose.course_day) if p.sedating]
    if sedating:
        reasons.append(
            _("One of your premedicines ({drug}) can make you sleepy, so driving may not be safe.").format(
                drug=_(sedating[0].drug)
            )
        )
    if dose.number == 1:
        reasons.append(_("This is your first infusion, and you do not yet know how you will feel after it."))
    if center.driver_policy is DriverPolicy.ALWAYS:
        reasons.append(_("{center} asks every patient to have a driver.").format(center=center.name))
    return reasons


def preparation_plan(
    therapy: Therapy,
    dose: PlannedDose,
    timeline: VisitTimeline,
    times: VisitTimes,
    center: CenterProfile,
    card: CardDetails,
    t: Translator,
    *,
    therapy_name: str,
    dose_text: str,
    extra_advice: list[str] | None = None,
) -> PreparationPlan:
    """The preparation tasks for one visit, from a week before to after the visit."""
    _ = t.gettext
    day = dose.date
    week_before = day - datetime.timedelta(days=7)
    days_before = day - datetime.timedelta(days=3)
    day_before = day - datetime.timedelta(days=1)
    phone = center.phone_text()
    premeds = premedication_names(therapy, dose, t)
    tasks: list[Task] = []

    # Week before — seed: confirm date, time, location, treatment and premedication.
    time_text = (
        t.time(times.start) if times.confirmed else _("{time} (to be confirmed)").format(time=t.time(times.start))
    )
    premed_text = ", ".join(premeds) if premeds else _("none planned")
    tasks.append(
        Task(
            id="confirm-details",
            stage=Stage.WEEK_BEFORE,
            due=week_before,
            title=_("Confirm your visit with the center"),
            detail=_("Call {center} at {phone} and check these details.").format(center=center.name, phone=phone),
            reason=_("Plans can change. Checking now saves you a wasted trip."),
            items=[
                _("Date: {date}").format(date=t.date(day)),
                _("Time: {time}").format(time=time_text),
                _("Place: {place}").format(place=f"{center.name}, {center.address.one_line}"),
                _("Treatment: {treatment}").format(treatment=f"{therapy_name}, {dose_text}"),
                _("Premedicine: {premeds}").format(premeds=premed_text),
            ],
            sources=[SEED],
        )
    )
    reasons = _driver_reasons(therapy, dose, center, t)
    driver = card.driver
    if reasons:
        detail = (
            _("{name} is your driver. Check that they can come and stay close by.").format(name=driver.name)
            if driver
            else _("Ask a friend or family member to come with you and drive you home.")
        )
        tasks.append(
            Task(
                id="driver",
                stage=Stage.WEEK_BEFORE,
                due=week_before,
                title=_("Arrange a ride home"),
                detail=detail,
                reason=" ".join(reasons),
                sources=[SEED],
            )
        )
    else:
        tasks.append(
            Task(
                id="ask-about-driving",
                stage=Stage.WEEK_BEFORE,
                due=week_before,
                title=_("Ask if you can drive yourself home"),
                detail=_(
                    "Ask your care team whether it is safe for you to drive after this visit. Many people "
                    "still bring a friend for company."
                ),
                reason=_("How you feel after an infusion can change from visit to visit."),
                sources=[SEED],
            )
        )
    gaps = card.missing()
    card_current = card.is_current(day)
    tasks.append(
        Task(
            id="card",
            stage=Stage.WEEK_BEFORE,
            due=week_before,
            title=_("Check your information card"),
            detail=(
                _("Your card looks up to date. Check it once more for new medicines or allergies.")
                if card_current
                else _("Fill in or update your card: allergies, medicines, health conditions and emergency contacts.")
            ),
            reason=_("The nurses use it to keep you safe, for example to avoid a medicine you are allergic to."),
            items=[card_gap_text(g, t) for g in gaps],
            sources=[SEED],
        )
    )

    # Days before — seed: rest and drink water; plus what the therapy asks for.
    tasks.append(
        Task(
            id="rest-and-water",
            stage=Stage.DAYS_BEFORE,
            due=days_before,
            title=_("Rest and drink water"),
            detail=_("Get enough sleep and drink plenty of water in the days before your visit."),
            reason=_("When you are rested and have had enough to drink, the nurse can find a vein more easily."),
            sources=[SEED],
        )
    )
    tasks += _therapy_tasks(therapy, dose, t)

    # Day before — seed: what to bring; the center's amenities.
    pack = [
        _("Something to do: a book, an audiobook or a podcast"),
        _("A charged phone or tablet, its charger and headphones"),
        _("Snacks and a drink"),
        _("A blanket or a warm layer"),
        _("Your information card and your list of medicines"),
    ]
    pack += extra_advice or []
    tasks.append(
        Task(
            id="pack",
            stage=Stage.DAY_BEFORE,
            due=day_before,
            title=_("Pack your bag"),
            detail=_("Your visit can take {plan}. Bring what helps you pass the time and stay comfortable.").format(
                plan=plan_for_text(timeline.plan_hours, t)
            ),
            reason=_("You will sit in the chair for a long time, and rooms can feel cold."),
            items=pack,
            sources=[SEED],
        )
    )
    provided = [amenity_name(a, t) for a in center.amenities]
    tasks.append(
        Task(
            id="center-provides",
            stage=Stage.DAY_BEFORE,
            due=day_before,
            title=_("What the center has for you"),
            detail=(
                _("{center} has these for you. You can still bring your own.").format(center=center.name)
                if provided
                else _("Call {center} at {phone} and ask what they have and what you should bring.").format(
                    center=center.name, phone=phone
                )
            ),
            reason=_("Knowing this helps you pack only what you need."),
            items=provided,
            sources=[SEED],
        )
    )
    tasks.append(
        Task(
            id="check",
            stage=Stage.DAY_BEFORE,
            due=day_before,
            title=_("Answer the pre-infusion check"),
            detail=_("Answer the short check in this plan. It tells you whether to come in or to call first."),
            reason=_("Some changes in your health mean the infusion should wait or a doctor should see you."),
            sources=[SEED],
        )
    )

    # Day of — the center's own rules, clothing, arrival and finish.
    caffeine = _rule_text(
        center.caffeine,
        t,
        _("Do not have coffee, tea, cola or energy drinks in the {n} hours before your visit."),
        _("Ask your care team if you should skip coffee or other caffeine before your visit."),
    )
    smoking = _rule_text(
        center.smoking,
        t,
        _("Do not smoke or vape in the {n} hours before your visit."),
        _("Ask your care team if you should not smoke before your visit."),
    )
    tasks.append(
        Task(
            id="caffeine-and-smoking",
            stage=Stage.DAY_OF,
            due=day,
            title=_("Caffeine and smoking"),
            detail=caffeine,
            reason=_("Your care team sets these limits for the day of your visit."),
            items=[smoking],
            sources=[SEED],
        )
    )
    tasks.append(
        Task(
            id="clothing",
            stage=Stage.DAY_OF,
            due=day,
            title=_("What to wear"),
            detail=_(
                "One arm will hold the IV, so you will have only one free hand, also in the bathroom. "
                "Wear clothes you can manage with one hand."
            ),
            reason=_(
                "Loose sleeves let the nurse reach the IV and the blood pressure cuff. Layers help if you "
                "feel too warm or too cold."
            ),
            items=[
                _("Loose clothes with sleeves that roll up above the elbow"),
                _("Layers you can put on or take off"),
                _("Comfortable shoes"),
                _("No perfume, cologne or scented lotion. Other patients may be allergic"),
            ],
            sources=[SEED],
        )
    )
    steps = [
        _("{time}: {phase} ({minutes})").format(
            time=t.time(start), phase=phase_name(name, t), minutes=t.duration(minutes)
        )
        for name, start, minutes in times.phases
    ]
    arrive_detail = _("Arrive by {arrive}. Check-in starts at {start}.").format(
        arrive=t.time(times.arrive_by), start=t.time(times.start)
    )
    premed_minutes = timeline.phase_minutes("premedication")
    if premed_minutes:
        arrive_detail += " " + _("You get your premedicine about {minutes} before the infusion starts.").format(
            minutes=t.duration(premed_minutes)
        )
    if not times.confirmed:
        arrive_detail += " " + _("This time is a placeholder until the center books your visit. Call to confirm it.")
    tasks.append(
        Task(
            id="arrive",
            stage=Stage.DAY_OF,
            due=day,
            title=_("When to arrive"),
            detail=arrive_detail,
            reason=_("Check-in and premedicine have to be done before the infusion can start."),
            items=steps,
            sources=[SEED],
        )
    )
    tasks.append(
        Task(
            id="finish",
            stage=Stage.DAY_OF,
            due=day,
            title=_("When you will be done"),
            detail=_("Expect to finish around {finish}. Plan for {plan} at the center.").format(
                finish=t.time(times.finish), plan=plan_for_text(timeline.plan_hours, t)
            ),
            reason=_("The infusion and the time you are watched afterwards follow the medicine's label."),
            sources=[SEED],
        )
    )

    # After — who drives, when reactions can still happen, whom to call.
    if reasons:
        ride = (
            _("{name} drives you home.").format(name=driver.name)
            if driver
            else _("Have someone drive you home. Do not drive yourself.")
        )
    else:
        ride = _("Drive yourself only if your care team said it is safe.")
    tasks.append(
        Task(
            id="ride-home",
            stage=Stage.AFTER,
            due=day,
            title=_("Getting home"),
            detail=ride,
            reason=_("You may feel tired or sleepy after the visit."),
            sources=[SEED],
        )
    )
    tasks.append(_reactions_task(therapy, dose, center, t))
    if therapy.id == "alemtuzumab":
        # LEMTRADA highlights [alemtuzumab:S2]: serious stroke within 3 days of an infusion.
        sources, review = _monitoring_sources(therapy, "stroke")
        tasks.append(
            Task(
                id="stroke-signs",
                stage=Stage.AFTER,
                due=day,
                title=_("Know the signs of a stroke"),
                detail=_(
                    "In the 3 days after each infusion, call {emergency} at once if your face droops, an arm "
                    "or leg is weak, you have trouble speaking, or you get a sudden bad headache or neck pain."
                ).format(emergency=center.emergency_number),
                reason=_("A stroke is rare with this medicine but serious, and fast care matters."),
                sources=sources,
                needs_review=review,
            )
        )
    return PreparationPlan(
        dose_number=dose.number,
        visit_date=day,
        first_infusion=dose.number == 1,
        driver_needed=bool(reasons),
        tasks=tasks,
    )


def _reactions_task(therapy: Therapy, dose: PlannedDose, center: CenterProfile, t: Translator) -> Task:
    _ = t.gettext
    late = therapy.late_reactions_hours
    if late is not None:
        # The hours and their source come from the therapy data file (e.g. OCREVUS 5.1 [ocrelizumab:S9]).
        when = _("A reaction can still happen up to {hours} hours after the infusion.").format(hours=late.value)
        stem = therapy.labels_file.removesuffix(".md")
        sources = [f"{stem}:{sid}" for sid in late.source]
    else:
        when = _("A reaction can still happen after you leave, most often later the same day.")
        sources = [SEED]
    return Task(
        id="reactions",
        stage=Stage.AFTER,
        due=dose.date,
        title=_("If you feel unwell afterwards"),
        detail=when
        + " "
        + _(
            "Call {center} at {phone} if you get a rash, itching, fever, headache or feel unwell. "
            "Call {emergency} if you have trouble breathing or swelling of the face, lips or throat."
        ).format(center=center.name, phone=center.phone_text(), emergency=center.emergency_number),
        reason=_("Your care team wants to know about reactions, and fast help matters if one is serious."),
        sources=sources,
    )


def phase_name(name: str, t: Translator) -> str:
    """A visit phase in plain words."""
    _ = t.gettext
    names = {
        "check-in": _("Check-in and vital signs"),
        "premedication": _("Premedicine"),
        "infusion": _("Infusion"),
        "injection": _("Injection"),
        "observation": _("Watching for reactions"),
        "discharge": _("Final check and going home"),
    }
    return names.get(name, name)


def card_gap_text(key: str, t: Translator) -> str:
    """What is missing from the card, in plain words."""
    _ = t.gettext
    texts = {
        "name": _("Your name"),
        "allergies": _("Your allergies, or that you have none"),
        "medicines": _("The medicines you take"),
        "emergency_contacts": _("An emergency contact"),
    }
    return texts[key]

"""The whole personal plan for one patient: dose calendar, each visit's timeline and preparation, card and check.

:func:`build_plan` is the one core call behind ``msinfusion plan`` and the web pages; the exports
(iCalendar, FHIR, printable HTML, text) only render a :class:`PersonalPlan`. A patient file is
validated by :class:`PatientFile` (unknown fields are errors); without one the plan shows empty card
fields and an unanswered check.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from msinfusion.card import CardDetails, Contact, InformationCard
from msinfusion.center import CenterProfile, unlisted_center
from msinfusion.i18n import DEFAULT_LOCALE, Translator, translator
from msinfusion.preparation import (
    PreparationPlan,
    VisitTimes,
    plan_for_text,
    premedication_names,
    preparation_plan,
    visit_times,
)
from msinfusion.reactions import Reaction, had_reaction_before, option_problem, retreatment_gate
from msinfusion.regimens import PlannedDose, RegimenError, dose_calendar
from msinfusion.reminders.rules import QuietHours, ReminderChannel, VisitSlot, planned_reminders, rule_text
from msinfusion.screening import ScreeningResult, assess
from msinfusion.therapies import Therapy
from msinfusion.visits import VisitTimeline, dose_visit


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PatientFile(_Strict):
    """What a patient (or staff for them) gives: card data, check answers, booked times, preferences."""

    id: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{1,64}$", description="A stable id for calendar UIDs")
    language: Literal["en", "es"] | None = None
    region: str = Field("US", pattern=r"^[A-Z]{2}$", description="Region for phone numbers without +")
    card: CardDetails = CardDetails()
    prescriber: Contact | None = None
    answers: dict[str, bool] = Field({}, description="Pre-infusion check answers by question id (yes = true)")
    appointments: dict[int, datetime.datetime] = Field(
        {}, description="Booked check-in times by dose number, center local time"
    )
    calendar_shows_treatment: bool = Field(False, description="Name the medicine in calendar titles (opt-in)")
    revision: int = Field(0, ge=0, description="Raised by the store whenever a booked time changes")


def patient_file(data: Any, *, today: datetime.date | None = None) -> PatientFile:
    """Validate a patient file's data; raises ``pydantic.ValidationError`` naming the field."""
    region = data.get("region", "US") if isinstance(data, Mapping) else "US"
    return PatientFile.model_validate(data, context={"region": region, "today": today})


class Reminder(_Strict):
    """A reminder the server sends before a visit on the patient's active channels (the outbox sends it)."""

    id: str
    at: datetime.datetime
    text: str


class VisitPlan(_Strict):
    """One planned visit: when, what, how long, how to prepare, and its calendar identity."""

    uid: str
    sequence: int
    number: int
    course: int | None
    course_day: int | None
    date: datetime.date
    window_start: datetime.date
    window_end: datetime.date
    dose_text: str
    dose_mg: float | None
    treatment: str
    premedications: list[str]
    timeline: VisitTimeline
    times: VisitTimes
    plan_text: str
    preparation: PreparationPlan
    reminders: list[Reminder]
    notes: list[str]


class StaffNotes(_Strict):
    """What staff must check: calendar warnings, values needing review, therapy flags (English)."""

    warnings: list[str]
    needs_review: list[str]
    flags: list[str]


class PersonalPlan(_Strict):
    """Everything a patient needs for their infusions, in their language."""

    locale: str
    issued: datetime.datetime
    therapy_id: str
    therapy_name: str
    generic: str
    approval: Literal["on-label", "off-label"]
    summary: str
    center: CenterProfile
    patient: PatientFile
    card: InformationCard
    start: datetime.date
    given: list[datetime.date]
    visits: list[VisitPlan]
    check: ScreeningResult | None = Field(description="The check before the next planned visit")
    disclaimer: str
    center_note: str | None = Field(None, description="Set when the center has no stored profile: ask the care team")
    reminder_note: str
    staff: StaffNotes

    @property
    def next_visit(self) -> VisitPlan | None:
        return self.visits[0] if self.visits else None


def dose_text(dose: PlannedDose) -> str:
    """'600 mg', or '12 mg/m2 (21.6 mg)' for doses per body surface area."""
    if dose.unit == "mg":
        return f"{dose.amount:g} mg"
    if dose.dose_mg is not None:
        return f"{dose.amount:g} {dose.unit} ({dose.dose_mg:g} mg)"
    return f"{dose.amount:g} {dose.unit}"


def visit_uid(patient: PatientFile, therapy: Therapy, start: datetime.date, number: int) -> str:
    """A calendar UID that stays the same for a dose however its date or time moves."""
    key = patient.id or hashlib.sha256(f"{therapy.id}|{start.isoformat()}".encode()).hexdigest()[:16]
    return f"{key}-{therapy.id}-dose-{number}@msinfusion"


def disclaimer(t: Translator) -> str:
    """The one sentence that the plan supports the care team and does not replace it."""
    return t.gettext("This plan helps you get ready. It does not replace your care team: always follow their advice.")


def _reminders(
    center: CenterProfile,
    uid: str,
    times: VisitTimes,
    channels: Sequence[ReminderChannel],
    quiet: QuietHours,
    t: Translator,
) -> list[Reminder]:
    """The reminders the outbox will send for this visit: the same rules, moments and words."""
    planned = planned_reminders(VisitSlot(uid=uid, start=times.start), channels, quiet, center.reminders)
    seen: dict[str, Reminder] = {}
    for item in planned:  # one line per rule, whatever the number of channels
        seen.setdefault(item.rule, Reminder(id=item.rule, at=item.send_at, text=rule_text(item.rule, times.start, t)))
    return list(seen.values())


def reminder_note(channels: Sequence[ReminderChannel], t: Translator) -> str:
    """What the plan says about reminders: how we send them, or how to turn them on (never SMS unless active)."""
    _ = t.gettext
    active = {c.channel for c in channels if c.rules}
    if active == {"email", "sms"}:
        return _(
            "Calendar apps often ignore alerts in imported files, so we also send you these reminders "
            "by e-mail and by text message."
        )
    if active == {"email"}:
        return _("Calendar apps often ignore alerts in imported files, so we also send you these reminders by e-mail.")
    if active == {"sms"}:
        return _(
            "Calendar apps often ignore alerts in imported files, so we also send you these reminders by text message."
        )
    return _(
        "We do not send you reminders yet. To get a reminder by e-mail before each visit, "
        "ask your infusion center to add your e-mail address."
    )


def build_plan(
    therapy: Therapy,
    start: datetime.date,
    *,
    issued: datetime.datetime,
    given: Sequence[datetime.date] = (),
    until: datetime.date | None = None,
    bsa: float | None = None,
    course_days: int | None = None,
    center: CenterProfile | None = None,
    patient: PatientFile | None = None,
    locale: str | None = None,
    today: datetime.date | None = None,
    given_mg: Sequence[float | None] = (),
    prior_cumulative_per_m2: float = 0.0,
    jurisdiction: str = "US",
    clinician_reason: str | None = None,
    option: str | None = None,
    reactions: Sequence[Reaction] = (),
    reminder_channels: Sequence[ReminderChannel] = (),
    quiet_hours: QuietHours | None = None,
) -> PersonalPlan:
    """The personal plan; raises ``RegimenError``, ``ScreeningError`` or ``UnknownLocale`` for bad input.

    Without ``center`` (no stored profile) the plan names no center, address or phone: it says to ask.
    ``issued`` is when the plan is made (calendar stamps); the core never reads the clock. With
    ``today`` no visit is listed in the past: an overdue dose moves to today. ``given_mg``,
    ``prior_cumulative_per_m2``, ``jurisdiction`` and ``clinician_reason`` feed a lifetime cap
    (:func:`msinfusion.regimens.dose_calendar`). ``reactions`` is the patient's infusion-reaction
    history: observation is back on where the label says so, an option kept for patients without a
    serious reaction is refused, and after a serious reaction the care team decides on the next dose.
    ``reminder_channels`` are the channels that really send to this patient (none by default): the plan
    lists reminders only for those, and otherwise says how to turn them on.
    """
    quiet = quiet_hours or QuietHours()
    patient = patient or PatientFile()
    t = translator(locale or patient.language or DEFAULT_LOCALE)
    _ = t.gettext
    if center is None:
        # No stored profile: never show a made-up center's phone or address; tell the patient to ask.
        center = unlisted_center(
            _("your infusion center"), _("ask your care team for the address"), _("the number your care team gave you")
        )
    problem = option_problem(therapy, option, reactions)
    if problem is not None:
        raise RegimenError(f"{therapy.id}: {problem}")
    calendar = dose_calendar(
        therapy,
        start,
        until,
        list(given),
        bsa=bsa,
        course_days=course_days,
        as_of=today,
        given_mg=given_mg,
        prior_cumulative_per_m2=prior_cumulative_per_m2,
        jurisdiction=jurisdiction,
        clinician_reason=clinician_reason,
        option=option,
    )
    gate = retreatment_gate(therapy, reactions)
    name = f"{therapy.name} ({', '.join(therapy.brands)})" if therapy.brands else therapy.name
    planned = [d for d in calendar.doses if d.status == "planned"]
    sequence = patient.revision + len(given)
    visits: list[VisitPlan] = []
    check: ScreeningResult | None = None
    warnings = list(calendar.warnings)
    if gate.needs_clinician:
        warnings.append(f"next dose needs a clinician's decision: {gate.reason}")
    for dose in planned:
        booked = patient.appointments.get(dose.number)
        if booked is not None and booked.date() != dose.date:
            # A booked day wins over the calendar's target day; staff see when it leaves the window.
            if booked.date() not in dose.window:
                warnings.append(f"dose {dose.number} is booked on {booked.date()}, outside its window")
            dose = dataclasses.replace(dose, date=booked.date())
        timeline = dose_visit(
            therapy, dose, center.visit_policy, after_reaction=had_reaction_before(dose.number, reactions)
        )
        times = visit_times(center, dose.date, timeline, booked)
        screening = assess(
            therapy.id,
            dose.number,
            patient.answers if not visits else {},
            center,
            t,
            prescriber_phone=patient.prescriber.phone if patient.prescriber else None,
        )
        if check is None:
            check = screening
        notes = []
        if gate.needs_clinician and not visits:
            notes.append(_("You had a serious reaction before. Your care team will decide about this infusion first."))
        if therapy.infusions[dose.infusion].no_prior_serious_reaction:
            notes.append(
                _(
                    "This shorter infusion is only for people who have never had a serious reaction to this "
                    "medicine. Tell the nurse if you ever had one."
                )
            )
        if timeline.needs_review:
            notes.append(
                _("Part of the time for this visit is not confirmed yet. Ask your center how long to plan for.")
            )
        if center.hours_on(dose.date) is None:
            notes.append(_("The center is usually closed on this day. They will book a day close to it."))
        if dose.window.start != dose.window.end:
            notes.append(
                _("This dose can be given between {first} and {last}.").format(
                    first=t.date(dose.window.start, "long"), last=t.date(dose.window.end, "long")
                )
            )
        text = dose_text(dose)
        visits.append(
            VisitPlan(
                uid=visit_uid(patient, therapy, start, dose.number),
                sequence=sequence,
                number=dose.number,
                course=dose.course,
                course_day=dose.course_day,
                date=dose.date,
                window_start=dose.window.start,
                window_end=dose.window.end,
                dose_text=text,
                dose_mg=dose.dose_mg,
                treatment=dose.treatment,
                premedications=premedication_names(therapy, dose, t),
                timeline=timeline,
                times=times,
                plan_text=plan_for_text(timeline.plan_hours, t),
                preparation=preparation_plan(
                    therapy,
                    dose,
                    timeline,
                    times,
                    center,
                    patient.card,
                    t,
                    therapy_name=name,
                    dose_text=text,
                    extra_advice=screening.advice,
                    first_dose=calendar.doses[0].date,
                ),
                reminders=_reminders(
                    center, visit_uid(patient, therapy, start, dose.number), times, reminder_channels, quiet, t
                ),
                notes=notes,
            )
        )
    first_text = visits[0].dose_text if visits else (dose_text(calendar.doses[-1]) if calendar.doses else "")
    review = sorted({item for v in visits for item in v.timeline.needs_review})
    if check is not None:
        review += [f"check question {q}" for q in check.needs_review]
    return PersonalPlan(
        locale=t.locale,
        issued=issued,
        therapy_id=therapy.id,
        therapy_name=name,
        generic=therapy.generic,
        approval=therapy.approval,
        summary=_(therapy.patient_summary),
        center=center,
        patient=patient,
        card=InformationCard(
            details=patient.card,
            therapy_name=name,
            dose_text=first_text,
            center_name=center.name,
            center_phone=center.phone,
            region=center.address.country,
            center_phone_note=None if center.listed else center.phone_text(),
        ),
        center_note=None
        if center.listed
        else _("We do not have your center's details. Ask your care team for its address and phone number."),
        start=start,
        given=list(given),
        visits=visits,
        check=check,
        disclaimer=disclaimer(t),
        reminder_note=reminder_note(reminder_channels, t),
        staff=StaffNotes(warnings=warnings, needs_review=review, flags=list(therapy.flags)),
    )

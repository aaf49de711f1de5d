"""A patient's plan built from the database: the stored records go in, :func:`msinfusion.plan.build_plan` decides.

Nothing clinical is computed here. This module gathers what the core needs (the active prescription and
the doses given, booked appointments, card data, the latest check answers, the center, the language),
hands it to the core, and adds what only the database knows: which tasks are ticked, which visit is
booked on which appointment, which check answers are on file. Pages and the JSON API share it.
"""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from msinfusion.booking.doses import therapy_of
from msinfusion.card import CardDetails, card_details
from msinfusion.center import CenterProfile
from msinfusion.db.center_catalog import CenterCatalog, center_catalog, overridden_therapy, plan_center
from msinfusion.db.clinical_records import reactions_of
from msinfusion.db.models import Appointment, CheckAnswers, Patient, Prescription
from msinfusion.db.patient_models import PatientPreferences, PreparationTick
from msinfusion.dose_matching import match_bookings
from msinfusion.i18n import LOCALES, Translator, translator
from msinfusion.outbox.contacts import patient_reminder_channels
from msinfusion.plan import PersonalPlan, VisitPlan, build_plan, patient_file
from msinfusion.reactions import Reaction
from msinfusion.regimens import RegimenError
from msinfusion.reminders.rules import QuietHours, ReminderChannel
from msinfusion.screening import Outcome, ScreeningError, assess


def patient_locale(patient: Patient) -> str:
    """The patient's language, or English when the stored value is not one we offer."""
    return patient.locale if patient.locale in LOCALES else LOCALES[0]


def stored_card(patient: Patient, region: str) -> CardDetails:
    """The card on file; data that does not pass the card model (older free-text cards) reads as empty."""
    try:
        return card_details(patient.card or {}, region=region)
    except ValidationError:
        return CardDetails()


def active_prescriptions(db: Session, patient_id: int) -> list[Prescription]:
    """Every active prescription of the patient (a regimen and a steroid course may run together), oldest first."""
    return list(
        db.scalars(
            select(Prescription)
            .where(Prescription.patient_id == patient_id, Prescription.status == "active")
            .order_by(Prescription.start_date, Prescription.id)
            .options(selectinload(Prescription.given_doses))
        )
    )


def active_prescription(db: Session, patient_id: int) -> Prescription | None:
    """The newest active prescription."""
    found = active_prescriptions(db, patient_id)
    return found[-1] if found else None


def _belongs(appointment: Appointment, prescription: Prescription) -> bool:
    """A visit booked for this prescription, or (older bookings without one) for a dose of its therapy."""
    if appointment.prescription_id is not None:
        return appointment.prescription_id == prescription.id
    try:
        return therapy_of(appointment.treatment) == prescription.therapy_id
    except KeyError:
        return False


def latest_check(db: Session, patient_id: int, since: datetime.date | None) -> CheckAnswers | None:
    """The newest check answers sent after the last dose given (older answers belong to a past visit)."""
    query = select(CheckAnswers).where(CheckAnswers.patient_id == patient_id)
    rows = db.scalars(query.order_by(CheckAnswers.submitted_at.desc(), CheckAnswers.id.desc())).all()
    for row in rows:
        if since is None or row.submitted_at.date() > since:
            return row
    return None


def calendar_shows_treatment(db: Session, patient_id: int) -> bool:
    preferences = db.get(PatientPreferences, patient_id)
    return bool(preferences and preferences.calendar_shows_treatment)


@dataclass
class PatientPlan:
    """The plan and what the database adds to it; ``plan`` is None with a reason when there is none."""

    patient: Patient
    t: Translator
    center: CenterProfile
    plan: PersonalPlan | None
    problem: str | None = None
    prescription: Prescription | None = None
    # Visit UID -> booked appointment (confirmed visits only get an "add to calendar" file).
    booked: dict[str, Appointment] = field(default_factory=dict)
    ticked: set[str] = field(default_factory=set)
    check: CheckAnswers | None = None
    # The patient's other active prescriptions, each with its own plan (a steroid course beside a regimen).
    others: list[PatientPlan] = field(default_factory=list)

    @property
    def next_visit(self) -> VisitPlan | None:
        return self.plan.next_visit if self.plan else None

    @property
    def all_plans(self) -> list[PatientPlan]:
        """This plan and the patient's other active ones."""
        return [self, *self.others]

    def plan_for_appointment(self, appointment_id: int) -> tuple[PersonalPlan, VisitPlan] | None:
        """The plan and visit an appointment is booked for, across every active prescription."""
        for view in self.all_plans:
            visit = view.visit_for_appointment(appointment_id)
            if view.plan is not None and visit is not None:
                return view.plan, visit
        return None

    def appointment_for(self, visit: VisitPlan) -> Appointment | None:
        return self.booked.get(visit.uid)

    def time_confirmed(self, visit: VisitPlan) -> bool:
        """True when the center has set a check-in time (a booked day alone is not a time)."""
        appointment = self.booked.get(visit.uid)
        return appointment is not None and appointment.starts_at is not None

    def visit_for_appointment(self, appointment_id: int) -> VisitPlan | None:
        for visit in self.plan.visits if self.plan else []:
            appointment = self.booked.get(visit.uid)
            if appointment is not None and appointment.id == appointment_id:
                return visit
        return None


@functools.lru_cache(maxsize=512)
def _memo_plan(
    therapy_id: str,
    overrides_json: str,
    start: datetime.date,
    given: tuple[datetime.date, ...],
    profile_key: tuple[Any, ...],
    patient_json: str,
    *,
    bsa: float | None,
    today: datetime.date,
    issued: datetime.datetime,
    locale: str,
    given_mg: tuple[float | None, ...] = (),
    prior_cumulative_per_m2: float = 0.0,
    jurisdiction: str = "US",
    clinician_reason: str | None = None,
    reactions: tuple[Reaction, ...] = (),
    channels: tuple[tuple[str, tuple[str, ...]], ...] = (),
    quiet: tuple[datetime.time, datetime.time] | None = None,
) -> PersonalPlan:
    """:func:`build_plan` on plain, hashable inputs (the therapy and center by their memo keys)."""
    return build_plan(
        overridden_therapy(therapy_id, overrides_json),
        start,
        issued=issued,
        given=given,
        center=plan_center(profile_key, locale),
        patient=patient_file(json.loads(patient_json), today=today),
        bsa=bsa,
        today=today,
        given_mg=given_mg,
        prior_cumulative_per_m2=prior_cumulative_per_m2,
        jurisdiction=jurisdiction,
        clinician_reason=clinician_reason,
        reactions=reactions,
        reminder_channels=[ReminderChannel.model_validate({"channel": c, "rules": r}) for c, r in channels],
        quiet_hours=QuietHours(start=quiet[0], end=quiet[1]) if quiet else None,
    )


def load_plan(
    db: Session,
    patient: Patient,
    now: datetime.datetime,
    locale: str | None = None,
    *,
    jurisdiction: str | None = None,
    quiet_hours: QuietHours | None = None,
) -> PatientPlan:
    """Build the patient's plans from their records (``now`` is the app clock: the core never reads one).

    With several active prescriptions, the one whose next visit comes first leads (the preparation and
    the check are for that visit); the others are in ``others``. The amounts given, the prior
    mitoxantrone exposure, the infusion reactions on record and the center's jurisdiction (US unless
    the center says otherwise) go to the core with the center's today.
    The plan's reminders are those the patient's verified, subscribed addresses really get
    (:func:`~msinfusion.outbox.contacts.patient_reminder_channels`), shifted out of ``quiet_hours``.
    """
    t = translator(locale or patient_locale(patient))
    catalog = center_catalog(db, patient.center_id)
    center = plan_center(catalog.profile_key, t.locale)
    prescriptions = active_prescriptions(db, patient.id)
    if not prescriptions:
        return PatientPlan(patient, t, center, None, t.gettext("Your care team has not set up your plan yet."))
    views = [
        _load_one(db, patient, prescription, now, t, catalog, center, jurisdiction, quiet_hours)
        for prescription in prescriptions
    ]

    def first_visit(view: PatientPlan) -> tuple[int, datetime.date]:
        visit = view.next_visit
        return (0, visit.date) if visit is not None else (1, datetime.date.max)

    views.sort(key=first_visit)
    lead = views[0]
    lead.others = views[1:]
    return lead


def _load_one(
    db: Session,
    patient: Patient,
    prescription: Prescription,
    now: datetime.datetime,
    t: Translator,
    catalog: CenterCatalog,
    center: CenterProfile,
    jurisdiction: str | None,
    quiet_hours: QuietHours | None = None,
) -> PatientPlan:
    """The plan of one prescription with its booked visits, ticks and check answers."""
    doses = sorted(prescription.given_doses, key=lambda g: g.given_on)
    given = [g.given_on for g in doses]
    check = latest_check(db, patient.id, given[-1] if given else None)
    today = now.astimezone(center.zone).date()
    base: dict[str, Any] = {
        "id": f"p{patient.id}",
        "language": t.locale,
        "region": center.address.country,
        "card": stored_card(patient, center.address.country).model_dump(mode="json"),
        "answers": dict(check.answers) if check else {},
        "calendar_shows_treatment": calendar_shows_treatment(db, patient.id),
    }
    mine = [
        a
        for a in db.scalars(
            select(Appointment).where(Appointment.patient_id == patient.id).order_by(Appointment.day, Appointment.id)
        )
        if _belongs(a, prescription)
    ]
    appointments = [a for a in mine if a.status == "booked" and a.day >= today]
    # A visit's SEQUENCE rises with every change of any of its bookings, cancellations included
    # (a cancelled booking no longer matches a dose, but its version still counts).
    revision = max((a.version for a in mine), default=0)
    therapy_id = catalog.therapy_id(prescription.therapy_id)
    has_cap = overridden_therapy(therapy_id, catalog.overrides_json(therapy_id)).cumulative_cap is not None
    # build_plan is pure: the same inputs give the same plan, so repeated page views reuse it. The
    # plan's stamp is the minute it was made.
    memo = functools.partial(
        _memo_plan,
        therapy_id,
        catalog.overrides_json(therapy_id),
        prescription.start_date,
        tuple(given),
        catalog.profile_key,
        bsa=prescription.options.get("bsa"),
        today=today,
        issued=now.replace(second=0, microsecond=0),
        locale=t.locale,
        given_mg=tuple(g.amount_mg for g in doses),
        prior_cumulative_per_m2=patient.prior_mitoxantrone_mg_m2 if has_cap else 0.0,
        jurisdiction=jurisdiction or catalog.jurisdiction or "US",
        clinician_reason=patient.prior_exposure_reason,
        reactions=tuple(reactions_of(db, prescription.id)),
        channels=tuple((c.channel, tuple(c.rules)) for c in patient_reminder_channels(db, patient.id)),
        quiet=(quiet_hours.start, quiet_hours.end) if quiet_hours else None,
    )
    try:
        plan = memo(json.dumps(base, sort_keys=True))
        matched = match_bookings(plan.visits, appointments)
        if matched or revision:
            booked_times = {
                number: (
                    a.starts_at.astimezone(center.zone).replace(tzinfo=None)
                    if a.starts_at is not None
                    else datetime.datetime.combine(a.day, center.default_start_on(a.day))
                ).isoformat()
                for number, a in matched.items()
            }
            plan = memo(json.dumps({**base, "appointments": booked_times, "revision": revision}, sort_keys=True))
    except (RegimenError, ScreeningError, ValidationError):
        problem = t.gettext("Your plan cannot be shown right now. Please call the center.")
        return PatientPlan(patient, t, center, None, problem, prescription)
    by_number = {v.number: v.uid for v in plan.visits}
    booked = {by_number[number]: a for number, a in matched.items() if number in by_number}
    next_uid = plan.visits[0].uid if plan.visits else None
    ticked = (
        set(
            db.scalars(
                select(PreparationTick.task_id).where(
                    PreparationTick.patient_id == patient.id, PreparationTick.visit_uid == next_uid
                )
            )
        )
        if next_uid
        else set()
    )
    return PatientPlan(patient, t, center, plan, None, prescription, booked, ticked, check)


def set_tick(db: Session, patient_id: int, visit_uid: str, task_id: str, done: bool, at: datetime.datetime) -> None:
    """Tick a task off, or untick it (ticking twice is harmless)."""
    exists = db.scalar(
        select(PreparationTick.id).where(
            PreparationTick.patient_id == patient_id,
            PreparationTick.visit_uid == visit_uid,
            PreparationTick.task_id == task_id,
        )
    )
    if done and exists is None:
        db.add(PreparationTick(patient_id=patient_id, visit_uid=visit_uid, task_id=task_id, ticked_at=at))
    elif not done and exists is not None:
        db.execute(delete(PreparationTick).where(PreparationTick.id == exists))
    db.flush()


def save_check(
    db: Session, view: PatientPlan, answers: dict[str, bool], at: datetime.datetime
) -> tuple[CheckAnswers | None, list[str]]:
    """Assess and store complete answers for the next visit; returns the row, or the unanswered ids."""
    visit = view.next_visit
    assert view.plan is not None and visit is not None
    result = assess(view.plan.therapy_id, visit.number, answers, view.center, view.t)
    if result.unanswered:
        return None, list(result.unanswered)
    appointment = view.appointment_for(visit)
    row = CheckAnswers(
        patient_id=view.patient.id,
        appointment_id=appointment.id if appointment else None,
        answers=dict(answers),
        outcome=(result.outcome or Outcome.PROCEED).value,
        submitted_at=at,
    )
    db.add(row)
    db.flush()
    return row, []

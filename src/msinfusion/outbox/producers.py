"""What puts messages in the outbox: due reminders, staff changes to a visit, check answers, address checks.

Each function renders the message in full now (the patient's language, the visit's calendar file) and
enqueues it under its idempotency key, inside the caller's transaction where there is one: a booking
and its notice commit together or not at all. :func:`enqueue_due_reminders` is the periodic step a job
runner (or ``msinfusion reminders run``) calls.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db import Database

# The patient's plan as the pages build it from the database.
from msinfusion.db.center_catalog import center_catalog
from msinfusion.db.comms_models import PatientContact
from msinfusion.db.models import Appointment, CheckAnswers, Patient
from msinfusion.db.patient_plan import PatientPlan, load_plan, patient_locale
from msinfusion.exports.ical import cancellation_ics, visit_ics
from msinfusion.i18n import translator
from msinfusion.outbox.config import MailConfig
from msinfusion.outbox.contacts import reminder_channels
from msinfusion.outbox.store import NewMessage, enqueue
from msinfusion.reminders.messages import (
    VisitChange,
    VisitFacts,
    check_call_message,
    reminder_message,
    verification_message,
    visit_facts,
    visit_notice_message,
)
from msinfusion.reminders.rules import VisitSlot, due_reminders
from msinfusion.reminders.tokens import make_token
from msinfusion.screening import Outcome

ICS_NAME = "infusion-visit.ics"
CALL_OUTCOMES = (Outcome.CALL_CENTER, Outcome.DO_NOT_COME)


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")


def unsubscribe_headers(config: MailConfig, contact: PatientContact) -> tuple[str, dict[str, str]]:
    """The one-click unsubscribe URL and its RFC 8058 headers for one address."""
    url = config.unsubscribe_url(make_token(config.signing_secret, "unsubscribe", contact.id, contact.address))
    return url, {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _email_contact(db: Session, patient_id: int) -> PatientContact | None:
    """The patient's verified, subscribed e-mail address, if any."""
    return db.scalars(
        select(PatientContact).where(
            PatientContact.patient_id == patient_id,
            PatientContact.channel == "email",
            PatientContact.verified_at.is_not(None),
            PatientContact.unsubscribed_at.is_(None),
        )
    ).first()


def _reminders_for_patient(
    db: Session, patient: Patient, contact: PatientContact, config: MailConfig, now: datetime.datetime
) -> int:
    channels = reminder_channels([contact])
    if not channels:
        return 0
    patient_plan = load_plan(db, patient, now)
    plan = patient_plan.plan
    if plan is None:
        return 0
    slots = []
    for visit in plan.visits:
        appointment = patient_plan.appointment_for(visit)
        if appointment is not None and appointment.status == "booked":  # reminders only for booked visits
            slots.append(VisitSlot(uid=visit.uid, start=visit.times.start))
    due = due_reminders(slots, channels, now, config.quiet_hours, patient_plan.center.reminders)
    if not due:
        return 0
    url, headers = unsubscribe_headers(config, contact)
    visits = {v.uid: v for v in plan.visits}
    added = 0
    for reminder in due:
        visit = visits[reminder.visit_uid]
        appointment = patient_plan.appointment_for(visit)
        assert appointment is not None
        message = NewMessage(
            key=reminder.key,
            kind="reminder",
            recipient=contact.address,
            language=plan.locale,
            content=reminder_message(reminder.rule, visit_facts(plan, visit), patient_plan.t, url),
            headers=headers,
            attachment_name=ICS_NAME,
            attachment=visit_ics(plan, visit),
            patient_id=patient.id,
            contact_id=contact.id,
            appointment_id=appointment.id,
            visit_status="booked",
            visit_day=appointment.day,
            visit_starts_at=appointment.starts_at,
        )
        added += enqueue(db, message, now)
    return added


def enqueue_due_reminders(database: Database, config: MailConfig, now: datetime.datetime) -> int:
    """Enqueue every reminder due at ``now`` for every patient with a verified, subscribed address.

    Returns how many were new; keys already in the outbox (sent, pending or void) are left alone. One
    short transaction per patient.
    """
    with database.read_session() as db:
        rows = db.execute(
            select(PatientContact.patient_id, PatientContact.id).where(
                PatientContact.channel == "email",
                PatientContact.verified_at.is_not(None),
                PatientContact.unsubscribed_at.is_(None),
            )
        ).all()
    by_patient: dict[int, list[int]] = defaultdict(list)
    for patient_id, contact_id in rows:
        by_patient[patient_id].append(contact_id)
    added = 0
    for patient_id, contact_ids in sorted(by_patient.items()):
        with database.session() as db:
            patient = db.get(Patient, patient_id)
            contact = db.get(PatientContact, contact_ids[0])
            if patient is None or contact is None:
                continue
            added += _reminders_for_patient(db, patient, contact, config, now)
    return added


def _cancelled_facts(patient_plan: PatientPlan, appointment: Appointment) -> VisitFacts:
    center = patient_plan.center
    start = (
        appointment.starts_at.astimezone(center.zone)
        if appointment.starts_at is not None
        else datetime.datetime.combine(appointment.day, center.default_start_on(appointment.day), tzinfo=center.zone)
    )
    return VisitFacts(
        start=start,
        confirmed=appointment.starts_at is not None,
        arrive_by=start - datetime.timedelta(minutes=center.arrive_early_minutes),
        plan_text="",
        center_name=center.name,
        center_address=center.address.one_line,
        center_phone=center.phone_text(),
    )


def _cancellation(patient_plan: PatientPlan, appointment: Appointment, facts: VisitFacts) -> bytes | None:
    """The calendar cancellation for the dose's visit (same UID as the file sent when it was booked)."""
    # The plan of the visit's own prescription (a patient may hold several), else the lead plan.
    owner = next(
        (
            view
            for view in patient_plan.all_plans
            if view.prescription is not None and view.prescription.id == appointment.prescription_id
        ),
        patient_plan,
    )
    plan = owner.plan
    visit = next((v for v in plan.visits if v.number == appointment.dose_index), None) if plan else None
    if plan is None or visit is None:
        return None
    # The appointment's version rose with the cancellation, so this outranks every file sent before.
    sequence = max(visit.sequence, appointment.version + len(plan.given)) + 1
    finish = facts.start + (visit.times.finish - visit.times.start)
    return cancellation_ics(plan, visit.uid, facts.start, finish, sequence)


def enqueue_visit_notice(
    db: Session,
    appointment: Appointment,
    change: VisitChange,
    config: MailConfig,
    now: datetime.datetime,
    *,
    previous_start: datetime.datetime | None = None,
) -> bool:
    """Tell the patient that staff booked, moved or cancelled ``appointment`` (call after the change).

    A no-op (False) when the patient has no verified, subscribed e-mail address, or when the notice for
    this change at this time is already in the outbox.
    """
    contact = _email_contact(db, appointment.patient_id)
    patient = db.get(Patient, appointment.patient_id)
    if contact is None or patient is None:
        return False
    patient_plan = load_plan(db, patient, now)
    url, headers = unsubscribe_headers(config, contact)
    attachment: bytes | None = None
    if change == "cancelled":
        facts = _cancelled_facts(patient_plan, appointment)
        attachment = _cancellation(patient_plan, appointment, facts)
    else:
        found = patient_plan.plan_for_appointment(appointment.id)  # across every active prescription
        if found is None:
            return False  # not (or no longer) a visit of a plan: nothing true to tell
        plan, visit = found
        facts = visit_facts(plan, visit)
        attachment = visit_ics(plan, visit)
    content = visit_notice_message(
        change,
        facts,
        patient_plan.t,
        url,
        previous_start=previous_start,
        cancellation_file=change == "cancelled" and attachment is not None,
    )
    message = NewMessage(
        key=f"notice:{change}:appointment-{appointment.id}:{_stamp(facts.start)}:email",
        kind="visit-notice",
        recipient=contact.address,
        language=patient_plan.t.locale,
        content=content,
        headers=headers,
        attachment_name=ICS_NAME if attachment is not None else None,
        attachment=attachment,
        patient_id=patient.id,
        contact_id=contact.id,
        appointment_id=appointment.id,
        visit_status="cancelled" if change == "cancelled" else "booked",
        visit_day=appointment.day,
        visit_starts_at=appointment.starts_at,
    )
    return enqueue(db, message, now)


def enqueue_check_notice(db: Session, check: CheckAnswers, config: MailConfig, now: datetime.datetime) -> bool:
    """Tell the center that a patient's check answers need a call (only for those outcomes, once per answer)."""
    if not config.center_notice_address:
        return False
    try:
        outcome = Outcome(check.outcome)
    except ValueError:
        return False
    patient = db.get(Patient, check.patient_id)
    if outcome not in CALL_OUTCOMES or patient is None:
        return False
    appointment = db.get(Appointment, check.appointment_id) if check.appointment_id is not None else None
    record_url = f"{config.public_url}/staff/patients/{patient.id}"
    content = check_call_message(patient.reference, appointment.day if appointment else None, outcome, record_url)
    message = NewMessage(
        key=f"check-notice:{check.id}",
        kind="check-notice",
        recipient=config.center_notice_address,
        language="en",
        content=content,
        patient_id=patient.id,
    )
    return enqueue(db, message, now)


def enqueue_verification(db: Session, contact: PatientContact, config: MailConfig, now: datetime.datetime) -> bool:
    """Send the patient a link that confirms ``contact``'s address (valid for the configured hours)."""
    patient = db.get(Patient, contact.patient_id)
    if patient is None:
        return False
    t = translator(patient_locale(patient))
    expires = now + datetime.timedelta(hours=config.verification_hours)
    token = make_token(config.signing_secret, "verify-email", contact.id, contact.address, expires)
    center_name = center_catalog(db, patient.center_id).profile.name
    content = verification_message(t, center_name, config.verify_url(token), config.verification_hours)
    message = NewMessage(
        key=f"verify-email:{contact.id}:{_stamp(now)}",
        kind="verify-email",
        recipient=contact.address,
        language=t.locale,
        content=content,
        patient_id=patient.id,
        contact_id=contact.id,
    )
    return enqueue(db, message, now)

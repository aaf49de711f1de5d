"""The words of every message: reminders and visit notices for patients, check notices for the center.

Each message comes as a subject, a plain-text body and an HTML body that say the same thing. Patient
messages are in the patient's language and in plain words; subjects stay neutral (no medicine, like the
calendar titles: mailboxes are often seen by others). Messages to the center name the patient only by
their reference and never carry answers or other health details: staff open the record to see them.
HTML is built from escaped text only; there is no template engine in the core.
"""

from __future__ import annotations

import datetime
import html
from typing import Literal

from pydantic import BaseModel, ConfigDict

from msinfusion.i18n import Translator
from msinfusion.plan import PersonalPlan, VisitPlan
from msinfusion.reminders.rules import rule_text
from msinfusion.screening import Outcome

VisitChange = Literal["booked", "moved", "cancelled"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RenderedMessage(_Strict):
    """One message, ready to send: subject, plain text and the HTML alternative."""

    subject: str
    text: str
    html: str


class VisitFacts(_Strict):
    """What a message says about a visit: when, where, how long, whom to call."""

    start: datetime.datetime
    confirmed: bool
    arrive_by: datetime.datetime
    plan_text: str
    center_name: str
    center_address: str
    center_phone: str


def visit_facts(plan: PersonalPlan, visit: VisitPlan) -> VisitFacts:
    """The facts of one visit of a plan (its times are in the center's zone)."""
    return VisitFacts(
        start=visit.times.start,
        confirmed=visit.times.confirmed,
        arrive_by=visit.times.arrive_by,
        plan_text=visit.plan_text,
        center_name=plan.center.name,
        center_address=plan.center.address.one_line,
        center_phone=plan.center.phone_text(),
    )


class _Body:
    """Paragraphs and labelled lines, written once and rendered as plain text and as HTML."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.text: list[str] = []
        self.html: list[str] = []

    def paragraph(self, text: str, *, strong: bool = False) -> None:
        self.text.append(text)
        escaped = html.escape(text)
        self.html.append(f"<p><strong>{escaped}</strong></p>" if strong else f"<p>{escaped}</p>")

    def fact(self, label: str, value: str) -> None:
        self.text.append(f"{label}: {value}")
        self.html.append(f"<p><strong>{html.escape(label)}:</strong> {html.escape(value)}</p>")

    def link(self, lead: str, label: str, url: str) -> None:
        self.text.append(f"{lead}\n{url}")
        self.html.append(
            f'<p>{html.escape(lead)} <a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></p>'
        )

    def render(self, subject: str) -> RenderedMessage:
        page = (
            f'<!DOCTYPE html>\n<html lang="{html.escape(self.locale)}">\n<head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head>\n"
            '<body style="font-family: Arial, sans-serif; font-size: 18px; line-height: 1.5; color: #111111; '
            'background: #ffffff; max-width: 40em; margin: 0 auto; padding: 1em;">\n'
            + "\n".join(self.html)
            + "\n</body>\n</html>\n"
        )
        return RenderedMessage(subject=subject, text="\n\n".join(self.text) + "\n", html=page)


def _when(start: datetime.datetime, t: Translator) -> str:
    return t.gettext("{date} at {time}").format(date=t.date(start.date()), time=t.time(start))


def _visit_details(body: _Body, visit: VisitFacts, t: Translator) -> None:
    _ = t.gettext
    body.fact(_("When"), _when(visit.start, t))
    if visit.confirmed:
        body.paragraph(_("Arrive by {time}.").format(time=t.time(visit.arrive_by)))
    else:
        body.paragraph(_("The time is to be confirmed by the center."))
    body.fact(_("Where"), f"{visit.center_name}, {visit.center_address}")
    body.paragraph(_("Plan for {plan}.").format(plan=visit.plan_text))


def _footer(body: _Body, visit: VisitFacts, t: Translator, unsubscribe_url: str | None, *, ics: bool) -> None:
    _ = t.gettext
    if ics:
        body.paragraph(_("Open the attached calendar file to add this visit to your calendar."))
        body.paragraph(_("Calendar copies do not update by themselves. Check your plan for changes."))
    body.paragraph(
        _("Questions or feeling unwell: call {center} at {phone}.").format(
            center=visit.center_name, phone=visit.center_phone
        )
    )
    if unsubscribe_url is not None:
        body.link(_("You get this e-mail because you asked for reminders."), _("Stop these e-mails"), unsubscribe_url)


def reminder_message(rule: str, visit: VisitFacts, t: Translator, unsubscribe_url: str | None) -> RenderedMessage:
    """A reminder before a visit: the rule's words (as in the plan), then when, where and how long."""
    _ = t.gettext
    body = _Body(t.locale)
    body.paragraph(rule_text(rule, visit.start, t), strong=True)
    _visit_details(body, visit, t)
    _footer(body, visit, t, unsubscribe_url, ics=True)
    subject = _("Reminder: your infusion visit on {date}").format(date=t.date(visit.start.date(), "long"))
    return body.render(subject)


def visit_notice_message(
    change: VisitChange,
    visit: VisitFacts,
    t: Translator,
    unsubscribe_url: str | None,
    *,
    previous_start: datetime.datetime | None = None,
    cancellation_file: bool = False,
) -> RenderedMessage:
    """A notice that staff booked, moved or cancelled a visit (``visit`` is the visit as it is now).

    ``cancellation_file``: a calendar cancellation is attached to a "cancelled" notice.
    """
    _ = t.gettext
    body = _Body(t.locale)
    long_date = t.date(visit.start.date(), "long")
    if change == "booked":
        subject = _("Your infusion visit is booked for {date}").format(date=long_date)
        body.paragraph(_("Your infusion center booked a visit for you."), strong=True)
        _visit_details(body, visit, t)
    elif change == "moved":
        subject = _("Your infusion visit has moved to {date}").format(date=long_date)
        body.paragraph(_("Your infusion center moved your visit to a new time."), strong=True)
        _visit_details(body, visit, t)
        if previous_start is not None:
            body.paragraph(
                _("The old time, {when}, is no longer booked for you.").format(when=_when(previous_start, t))
            )
    else:
        subject = _("Your infusion visit on {date} is cancelled").format(date=long_date)
        body.paragraph(
            _("Your infusion center cancelled your visit on {when}.").format(when=_when(visit.start, t)), strong=True
        )
        body.paragraph(_("Please call the center to find a new time."))
        if cancellation_file:
            body.paragraph(_("If you added this visit to your calendar, open the attached file to remove it."))
    _footer(body, visit, t, unsubscribe_url, ics=change != "cancelled")
    return body.render(subject)


def verification_message(t: Translator, center_name: str, verify_url: str, valid_hours: int) -> RenderedMessage:
    """The e-mail that asks the patient to confirm their address before any reminder goes to it."""
    _ = t.gettext
    body = _Body(t.locale)
    body.paragraph(
        _(
            "Please confirm that this is your e-mail address. Then {center} can send you reminders before your visits."
        ).format(center=center_name),
        strong=True,
    )
    body.link(_("Open this link to confirm:"), _("Confirm my e-mail address"), verify_url)
    body.paragraph(
        t.ngettext(
            "The link works for {hours} hour. If you did not ask for this, you can ignore this e-mail.",
            "The link works for {hours} hours. If you did not ask for this, you can ignore this e-mail.",
            valid_hours,
        ).format(hours=valid_hours)
    )
    return body.render(_("Please confirm your e-mail address"))


def check_call_message(
    patient_reference: str, visit_day: datetime.date | None, outcome: Outcome, record_url: str
) -> RenderedMessage:
    """A notice to the center that a patient's pre-infusion check answers need a call (staff, English).

    It carries the patient's reference and the visit day only; the answers stay in the record.
    """
    body = _Body("en")
    what = {
        Outcome.CALL_CENTER: "need a call before the patient comes in",
        Outcome.DO_NOT_COME: "tell the patient not to come in yet: call them and their prescriber",
        Outcome.PROCEED: "need no call",
    }[outcome]
    visit = f" for the visit on {visit_day.isoformat()}" if visit_day is not None else ""
    body.paragraph(f"The pre-infusion check answers of patient {patient_reference}{visit} {what}.", strong=True)
    body.paragraph("The answers are a heads-up, not a clearance: staff decide whether to infuse.")
    body.link("Open the patient's record:", "Patient record", record_url)
    return body.render(f"Pre-infusion check needs a call: patient {patient_reference}")

"""iCalendar export: one event per visit, and a feed of every visit.

What real calendar clients do with imported files shapes the output (``shared/reference/
patient-experience.md`` §2): a stable ``UID`` per dose and a ``SEQUENCE`` that rises with every
change, so an update replaces the event instead of adding a copy; a neutral title unless the patient
opts in to naming the medicine (calendars often sync to work accounts); at most one alarm, the day
before, placed after every other event property; and the feed carries ``REFRESH-INTERVAL`` with
``VALUE=DURATION`` set explicitly plus ``X-PUBLISHED-TTL`` for Outlook. Clients drop most imported
alarms, so the plan also lists the reminders the server sends (only those it really sends, see
:mod:`msinfusion.reminders.rules`).
"""

from __future__ import annotations

import datetime

from icalendar import Alarm, Calendar, Event, vDuration, vText

from msinfusion.i18n import Translator, translator
from msinfusion.plan import PersonalPlan, VisitPlan
from msinfusion.preparation import phase_name

PRODID = "-//msinfusion//Infusion plan//EN"
FEED_REFRESH = datetime.timedelta(hours=6)


def event_title(plan: PersonalPlan, visit: VisitPlan, t: Translator) -> str:
    """'Infusion appointment' by default; with the patient's opt-in, the medicine too."""
    _ = t.gettext
    title = _("Infusion appointment")
    if plan.patient.calendar_shows_treatment:
        title = f"{title}: {plan.therapy_name}"
    if not visit.times.confirmed:
        title = _("{title} (time to be confirmed)").format(title=title)
    return title


def event_description(plan: PersonalPlan, visit: VisitPlan, t: Translator) -> str:
    """The visit timeline in plain text: arrival, each phase, expected finish, whom to call."""
    _ = t.gettext
    lines = [_("Arrive by {time}.").format(time=t.time(visit.times.arrive_by))]
    for name, start, minutes in visit.times.phases:
        lines.append(f"{t.time(start)} {phase_name(name, t)} ({t.duration(minutes)})")
    lines.append(
        _("Expected finish: about {time}. Plan for {plan}.").format(
            time=t.time(visit.times.finish), plan=visit.plan_text
        )
    )
    if not visit.times.confirmed:
        lines.append(_("The time is to be confirmed by the center."))
    lines.append(
        _("Questions or feeling unwell: call {center} at {phone}.").format(
            center=plan.center.name, phone=plan.center.phone_text()
        )
    )
    lines.append(_("Calendar copies do not update by themselves. Check your plan for changes."))
    return "\n".join(lines)


def visit_event(plan: PersonalPlan, visit: VisitPlan, t: Translator) -> Event:
    """The VEVENT of one visit; its one alarm comes after every other property."""
    _ = t.gettext
    event = Event()
    event.add("uid", visit.uid)
    event.add("dtstamp", plan.issued.astimezone(datetime.UTC))
    event.add("sequence", visit.sequence)
    event.add("summary", event_title(plan, visit, t))
    event.add("dtstart", visit.times.start)
    event.add("dtend", visit.times.finish)
    event.add("location", f"{plan.center.name}, {plan.center.address.one_line}")
    event.add("description", event_description(plan, visit, t))
    event.add("status", "CONFIRMED" if visit.times.confirmed else "TENTATIVE")
    event.add("transp", "OPAQUE")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", datetime.timedelta(days=-1))
    alarm.add("description", _("Your infusion is tomorrow. Drink water, pack your bag and check your ride home."))
    event.add_component(alarm)
    return event


def _calendar(plan: PersonalPlan, t: Translator, visits: list[tuple[PersonalPlan, VisitPlan]]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", t.gettext("Infusion appointments"))
    calendar.add("x-wr-timezone", plan.center.timezone)
    for owner, visit in visits:
        calendar.add_component(visit_event(owner, visit, t))
    if visits:
        first = min(v.date for _, v in visits)
        last = max(v.date for _, v in visits)
        calendar.add_missing_timezones(first_date=first - datetime.timedelta(days=1), last_date=last)
    return calendar


def visit_ics(plan: PersonalPlan, visit: VisitPlan) -> bytes:
    """A one-event calendar file for one visit ("add to calendar")."""
    data: bytes = _calendar(plan, translator(plan.locale), [(plan, visit)]).to_ical()
    return data


def cancellation_ics(
    plan: PersonalPlan, uid: str, start: datetime.datetime, finish: datetime.datetime, sequence: int
) -> bytes:
    """A cancellation of a visit the patient may have added: same ``UID``, a higher ``SEQUENCE``,
    ``STATUS:CANCELLED`` and ``METHOD:CANCEL`` (patient-experience.md §2), and no alarm."""
    t = translator(plan.locale)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", plan.issued.astimezone(datetime.UTC))
    event.add("sequence", sequence)
    event.add("summary", t.gettext("Infusion appointment"))
    event.add("dtstart", start)
    event.add("dtend", finish)
    event.add("status", "CANCELLED")
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def feed_ics(plan: PersonalPlan, *others: PersonalPlan) -> bytes:
    """Every planned visit of every plan given (a regimen and a steroid course) in one calendar, with
    refresh hints for subscribed feeds."""
    t = translator(plan.locale)
    visits = sorted(
        ((owner, visit) for owner in (plan, *others) for visit in owner.visits), key=lambda pair: pair[1].times.start
    )
    calendar = _calendar(plan, t, visits)
    refresh = vDuration(FEED_REFRESH)
    refresh.params["VALUE"] = "DURATION"  # icalendar omits VALUE=DURATION (patient-experience.md §2)
    calendar.add("refresh-interval", refresh)
    calendar.add("x-published-ttl", vText("PT6H"))
    data: bytes = calendar.to_ical()
    return data

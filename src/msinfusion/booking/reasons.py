"""Why a dose is off its due date or not booked at all, in words a scheduler can check."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from msinfusion.booking.doses import DueDose
from msinfusion.booking.preferences import DAY_NAMES, day_suits
from msinfusion.booking.request import Preferences
from msinfusion.i18n import N_, Message

if TYPE_CHECKING:
    from msinfusion.booking.engine import Booker

ONE_DAY = dt.timedelta(days=1)


def why_off_due(booker: Booker, group: list[DueDose], preferences: Preferences | None) -> Message:
    """Why the course or dose is not on its due date, in words a scheduler can check."""
    lead = group[0]
    due = lead.due
    text = due.isoformat()
    if due < booker.first:
        return Message(N_("{due}: before the first bookable date ({first})"), due=text, first=booker.first.isoformat())
    for offset in range(len(group)):
        date = due + offset * ONE_DAY
        closed = booker.openings.why_closed(date)
        if closed is not None:
            if offset == 0:
                return Message(N_("{due}: {closed}"), due=text, closed=closed)
            return Message(
                N_("{due}: the course needs {days} consecutive open days; {date}: {closed}"),
                due=text,
                days=len(group),
                date=date.isoformat(),
                closed=closed,
            )
        if date > booker.last:
            return Message(N_("{due}: the course would run past the horizon"), due=text)
    if not booker.naive and preferences is not None:
        if due in preferences.unavailable:
            return Message(N_("{due}: the patient cannot come that day"), due=text)
        if not day_suits(preferences, due):
            days = ", ".join(DAY_NAMES[d] for d in preferences.weekdays)
            return Message(N_("{due}: the patient comes on {days}"), due=text, days=days)
    for offset, dose in enumerate(group):
        ledger = booker.ledger(due + offset * ONE_DAY)
        assert ledger is not None
        on = (
            Message(N_("{due}:"), due=text)
            if offset == 0
            else Message(
                N_("{due}: the course's day {day} ({date})"), due=text, day=offset + 1, date=ledger.date.isoformat()
            )
        )
        if not ledger.room_for(dose.minutes):
            return Message(
                N_("{where} day full ({load} of {capacity} chair-minutes booked)"),
                where=on,
                load=ledger.load,
                capacity=ledger.capacity,
            )
        if not booker.naive and booker.over_cap(ledger.load + dose.minutes):
            return Message(
                N_("{where} levelling keeps each day near {cap} chair-minutes ({load} booked)"),
                where=on,
                cap=booker.cap,
                load=ledger.load,
            )
    if preferences is not None and preferences.time is not None and not booker.naive:
        if preferences.time == "morning":
            return Message(N_("{due}: no morning start with a chair and nurse free"), due=text)
        return Message(N_("{due}: no afternoon start with a chair and nurse free"), due=text)
    return Message(N_("{due}: no chair and nurse free at a time that fits"), due=text)


def why_unbooked(booker: Booker, group: list[DueDose]) -> Message:
    """Why a dose or course could not be booked: what is full or closed in its window."""
    lead = group[0]
    low = booker.earliest(lead)
    high = min(lead.window.end, booker.last)
    if low > high:
        if lead.window.end < low and lead.key in booker.not_before:
            return Message(
                N_("its window ends on {end}; ask the prescriber for a new date"), end=lead.window.end.isoformat()
            )
        if lead.window.end < booker.first:
            return Message(
                N_("its window ends on {end}, before the first bookable date"), end=lead.window.end.isoformat()
            )
        return Message(N_("its window lies outside the horizon"))
    span = f"{low.isoformat()} … {high.isoformat()}"
    closed = full = crowded = 0
    day = low
    while day <= high:
        ledgers = [booker.ledger(day + i * ONE_DAY) for i in range(len(group))]
        if any(ledger is None for ledger in ledgers):
            closed += 1
        elif any(not ledger.room_for(dose.minutes) for ledger, dose in zip(ledgers, group, strict=True) if ledger):
            full += 1
        else:
            crowded += 1
        day += ONE_DAY
    if closed and not (full or crowded):
        if len(group) > 1:
            return Message(
                N_("no {days} consecutive open days start in its window ({span})"), days=len(group), span=span
            )
        return Message(N_("no open day in its window ({span}: center closed)"), span=span)
    if full and crowded:
        return Message(
            N_(
                "every open day in the window is full (chair-minutes on {full} days; chairs and nurses at every start "
                "on {crowded} days; {span})"
            ),
            full=full,
            crowded=crowded,
            span=span,
        )
    if full:
        return Message(
            N_("every open day in the window is full (chair-minutes on {full} days; {span})"), full=full, span=span
        )
    return Message(
        N_("every open day in the window is full (chairs and nurses at every start on {crowded} days; {span})"),
        crowded=crowded,
        span=span,
    )

"""Why a dose is off its due date or not booked at all, in words a scheduler can check."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from msinfusion.booking.doses import DueDose
from msinfusion.booking.preferences import DAY_NAMES, day_suits
from msinfusion.booking.request import Preferences

if TYPE_CHECKING:
    from msinfusion.booking.engine import Booker

ONE_DAY = dt.timedelta(days=1)


def why_off_due(booker: Booker, group: list[DueDose], preferences: Preferences | None) -> str:
    """Why the course or dose is not on its due date, in words a scheduler can check."""
    lead = group[0]
    due = lead.due
    text = due.isoformat()
    if due < booker.first:
        return f"{text}: before the first bookable date ({booker.first.isoformat()})"
    for offset in range(len(group)):
        date = due + offset * ONE_DAY
        closed = booker.openings.why_closed(date)
        if closed is not None:
            if offset == 0:
                return f"{text}: {closed}"
            return f"{text}: the course needs {len(group)} consecutive open days; {date.isoformat()}: {closed}"
        if date > booker.last:
            return f"{text}: the course would run past the horizon"
    if not booker.naive and preferences is not None:
        if due in preferences.unavailable:
            return f"{text}: the patient cannot come that day"
        if not day_suits(preferences, due):
            days = ", ".join(DAY_NAMES[d] for d in preferences.weekdays)
            return f"{text}: the patient comes on {days}"
    for offset, dose in enumerate(group):
        ledger = booker.ledger(due + offset * ONE_DAY)
        assert ledger is not None
        on = f"{text}: " if offset == 0 else f"{text}: the course's day {offset + 1} ({ledger.date.isoformat()}) "
        if not ledger.room_for(dose.minutes):
            return f"{on}day full ({ledger.load} of {ledger.capacity} chair-minutes booked)"
        if not booker.naive and booker.over_cap(ledger.load + dose.minutes):
            return f"{on}levelling keeps each day near {booker.cap} chair-minutes ({ledger.load} booked)"
    if preferences is not None and preferences.time is not None and not booker.naive:
        return f"{text}: no {preferences.time} start with a chair and nurse free"
    return f"{text}: no chair and nurse free at a time that fits"


def why_unbooked(booker: Booker, group: list[DueDose]) -> str:
    """Why a dose or course could not be booked: what is full or closed in its window."""
    lead = group[0]
    low = booker.earliest(lead)
    high = min(lead.window.end, booker.last)
    if low > high:
        if lead.window.end < low and lead.key in booker.not_before:
            return f"its window ends on {lead.window.end.isoformat()}; ask the prescriber for a new date"
        if lead.window.end < booker.first:
            return f"its window ends on {lead.window.end.isoformat()}, before the first bookable date"
        return "its window lies outside the horizon"
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
            return f"no {len(group)} consecutive open days start in its window ({span})"
        return f"no open day in its window ({span}: center closed)"
    parts = []
    if full:
        parts.append(f"chair-minutes on {full} days")
    if crowded:
        parts.append(f"chairs and nurses at every start on {crowded} days")
    return f"every open day in the window is full ({'; '.join(parts)}; {span})"

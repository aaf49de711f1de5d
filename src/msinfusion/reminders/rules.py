"""Which reminders a patient gets before a visit, when each one goes out, and its idempotency key.

The rule set is the center's (:data:`msinfusion.center.DEFAULT_REMINDERS`: a week before to prepare, the
day before to hydrate and check the ride home, two hours before; ``shared/reference/patient-experience.md``
§2). The plan lists exactly these moments, and the outbox sends exactly these, so the two never disagree.

A reminder is *due* from its moment until it would no longer be true: the week-before reminder until the
day-before one starts, the day-before reminder ("tomorrow") until the visit's day begins, the last one
until the visit starts. A moment inside the quiet hours moves to their end (patient-experience.md §7:
quiet hours); if that pushes it past the point where it stops being true, it is not sent at all.

Nothing here reads a clock: ``now`` comes from the caller.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from msinfusion.center import DEFAULT_REMINDERS, ReminderRule
from msinfusion.i18n import Translator

Channel = Literal["email", "sms"]
RuleId = Literal["prepare", "day-before", "leave-soon"]
RULE_IDS: tuple[RuleId, ...] = ("prepare", "day-before", "leave-soon")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReminderChannel(_Strict):
    """A channel on which the patient gets reminders, and which of the center's reminders they chose.

    Only channels that really send belong here: a verified, subscribed address, and for ``sms`` a
    configured provider. The plan says "we send" only for these.
    """

    channel: Channel
    rules: tuple[RuleId, ...] = Field(RULE_IDS, description="The reminders chosen on this channel")


class QuietHours(_Strict):
    """Local hours in which no reminder goes out; ``start`` after ``end`` spans midnight (the default)."""

    start: datetime.time = datetime.time(21, 0)
    end: datetime.time = datetime.time(8, 0)

    def contains(self, clock: datetime.time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def shift(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment``, or the end of the quiet hours it falls in (same zone as ``moment``)."""
        clock = moment.timetz().replace(tzinfo=None)
        if not self.contains(clock):
            return moment
        day = moment.date()
        if self.start > self.end and clock >= self.start:
            day += datetime.timedelta(days=1)
        return datetime.datetime.combine(day, self.end, tzinfo=moment.tzinfo)


class VisitSlot(_Strict):
    """One visit as the reminders need it: its stable calendar UID, its start (aware, center zone), status."""

    uid: str
    start: datetime.datetime
    status: Literal["booked", "cancelled"] = "booked"


class PlannedReminder(_Strict):
    """One reminder for one visit on one channel, with the moment it goes out and until when it is true."""

    key: str
    visit_uid: str
    visit_start: datetime.datetime
    rule: RuleId
    channel: Channel
    send_at: datetime.datetime
    stale_at: datetime.datetime


def rule_text(rule: str, visit_start: datetime.datetime, t: Translator) -> str:
    """What one reminder says, in the patient's language; the same words in the plan and in the message."""
    _ = t.gettext
    if rule == "prepare":
        return _("Your infusion is in one week. Look at your plan to get ready.")
    if rule == "day-before":
        return _("Your infusion is tomorrow. Drink water, pack your bag and check your ride home.")
    if rule == "leave-soon":
        # The clock time, not "in 2 hours": quiet hours can move this reminder closer to the visit.
        return _("Your infusion is today at {time}. Remember your information card.").format(time=t.time(visit_start))
    raise ValueError(f"unknown reminder rule {rule!r}")


def reminder_key(visit_uid: str, visit_start: datetime.datetime, rule: str, channel: str) -> str:
    """The idempotency key of one reminder: per visit (at this time), rule and channel.

    The visit's start is part of the key, so a moved visit gets new reminders and its old ones are void.
    """
    at = visit_start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")
    return f"reminder:{visit_uid}:{at}:{rule}:{channel}"


def _stale_at(rule: ReminderRule, start: datetime.datetime, rules: Sequence[ReminderRule]) -> datetime.datetime:
    if rule.id == "day-before":
        # The text says "tomorrow": it must arrive before the visit's own day begins.
        return datetime.datetime.combine(start.date(), datetime.time(0), tzinfo=start.tzinfo)
    closer = [r.before for r in rules if r.before < rule.before]
    return start - max(closer) if closer else start


def planned_reminders(
    visit: VisitSlot,
    channels: Sequence[ReminderChannel],
    quiet: QuietHours = QuietHours(),
    rules: Sequence[ReminderRule] = DEFAULT_REMINDERS,
) -> list[PlannedReminder]:
    """Every reminder this visit will get on the patient's channels, in time order (none if cancelled)."""
    if visit.status != "booked":
        return []
    planned: list[PlannedReminder] = []
    for rule in sorted(rules, key=lambda r: r.before, reverse=True):
        send_at = quiet.shift(visit.start - rule.before)
        stale_at = min(_stale_at(rule, visit.start, rules), visit.start)
        if send_at >= stale_at:
            continue
        for channel in channels:
            if rule.id not in channel.rules:
                continue
            planned.append(
                PlannedReminder(
                    key=reminder_key(visit.uid, visit.start, rule.id, channel.channel),
                    visit_uid=visit.uid,
                    visit_start=visit.start,
                    rule=rule.id,
                    channel=channel.channel,
                    send_at=send_at,
                    stale_at=stale_at,
                )
            )
    return planned


def due_reminders(
    visits: Sequence[VisitSlot],
    channels: Sequence[ReminderChannel],
    now: datetime.datetime,
    quiet: QuietHours = QuietHours(),
    rules: Sequence[ReminderRule] = DEFAULT_REMINDERS,
) -> list[PlannedReminder]:
    """The reminders to send at ``now``: their moment has come and what they say is still true."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return [
        reminder
        for visit in visits
        for reminder in planned_reminders(visit, channels, quiet, rules)
        if reminder.send_at <= now < reminder.stale_at
    ]

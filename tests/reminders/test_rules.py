"""Which reminders are due, when, under which key: a week, a day and two hours before, never in quiet hours."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from msinfusion.i18n import translator
from msinfusion.reminders import (
    QuietHours,
    ReminderChannel,
    VisitSlot,
    due_reminders,
    planned_reminders,
    reminder_key,
    rule_text,
)

ZONE = ZoneInfo("America/New_York")
EMAIL = ReminderChannel(channel="email")
VISIT = VisitSlot(uid="p1-ocrelizumab-iv-dose-2@msinfusion", start=datetime.datetime(2027, 3, 10, 11, 0, tzinfo=ZONE))


def local(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2027, 3, day, hour, minute, tzinfo=ZONE)


def test_a_visit_gets_the_three_reminders_the_plan_promises() -> None:
    planned = planned_reminders(VISIT, [EMAIL])
    assert [(r.rule, r.send_at) for r in planned] == [
        ("prepare", local(3, 11)),
        ("day-before", local(9, 11)),
        ("leave-soon", local(10, 9)),
    ]


def test_each_reminder_is_due_from_its_moment_until_it_stops_being_true() -> None:
    assert due_reminders([VISIT], [EMAIL], local(3, 10, 59)) == []
    assert [r.rule for r in due_reminders([VISIT], [EMAIL], local(3, 11))] == ["prepare"]
    assert [r.rule for r in due_reminders([VISIT], [EMAIL], local(8, 23))] == ["prepare"]
    assert [r.rule for r in due_reminders([VISIT], [EMAIL], local(9, 11))] == ["day-before"]
    assert [r.rule for r in due_reminders([VISIT], [EMAIL], local(10, 9, 30))] == ["leave-soon"]
    assert due_reminders([VISIT], [EMAIL], local(10, 11)) == []


def test_the_day_before_reminder_is_never_sent_on_the_day_of_the_visit() -> None:
    # Its words say "tomorrow"; a runner that was down all evening must not send it in the morning.
    assert [r.rule for r in due_reminders([VISIT], [EMAIL], local(10, 0, 30))] == []


def test_a_cancelled_visit_gets_no_reminders() -> None:
    cancelled = VISIT.model_copy(update={"status": "cancelled"})
    assert planned_reminders(cancelled, [EMAIL]) == []
    assert due_reminders([cancelled], [EMAIL], local(9, 11)) == []


def test_a_moved_visit_gets_new_keys_and_the_old_keys_are_never_due_again() -> None:
    moved = VISIT.model_copy(update={"start": local(12, 11)})
    old = {r.key for r in planned_reminders(VISIT, [EMAIL])}
    new = {r.key for r in planned_reminders(moved, [EMAIL])}
    assert old.isdisjoint(new)
    due = due_reminders([moved], [EMAIL], local(9, 11))  # the old visit's day-before moment
    assert [(r.rule, r.visit_start) for r in due] == [("prepare", local(12, 11))]
    assert due[0].key in new


def test_the_key_is_per_visit_time_rule_and_channel() -> None:
    key = reminder_key(VISIT.uid, VISIT.start, "day-before", "email")
    assert key == "reminder:p1-ocrelizumab-iv-dose-2@msinfusion:20270310T1600Z:day-before:email"
    assert key != reminder_key(VISIT.uid, VISIT.start, "day-before", "sms")
    assert key != reminder_key(VISIT.uid, VISIT.start, "prepare", "email")


def test_a_reminder_in_quiet_hours_moves_to_their_end() -> None:
    early = VisitSlot(uid="v", start=local(10, 8, 30))
    leave_soon = next(r for r in planned_reminders(early, [EMAIL]) if r.rule == "leave-soon")
    assert leave_soon.send_at == local(10, 8)  # 6:30 is quiet; 8:00 is still before the visit
    evening = VisitSlot(uid="v", start=local(10, 22, 30))
    prepare = next(r for r in planned_reminders(evening, [EMAIL]) if r.rule == "prepare")
    assert prepare.send_at == local(4, 8)  # 22:30 a week before moves to 8:00 the next morning


def test_a_reminder_that_quiet_hours_would_push_past_the_visit_is_not_sent() -> None:
    dawn = VisitSlot(uid="v", start=local(10, 7, 0))
    rules = [r.rule for r in planned_reminders(dawn, [EMAIL])]
    assert rules == ["prepare", "day-before"]  # 5:00 would move to 8:00, after the 7:00 start


def test_quiet_hours_can_be_set_and_can_sit_within_one_day() -> None:
    siesta = QuietHours(start=datetime.time(13), end=datetime.time(15))
    assert siesta.shift(local(9, 14)) == local(9, 15)
    assert siesta.shift(local(9, 12)) == local(9, 12)
    assert QuietHours(start=datetime.time(0), end=datetime.time(0)).shift(local(9, 3)) == local(9, 3)


def test_only_the_reminders_the_patient_chose_on_each_channel_are_planned() -> None:
    channels = [ReminderChannel(channel="email", rules=("prepare",)), ReminderChannel(channel="sms")]
    planned = [(r.rule, r.channel) for r in planned_reminders(VISIT, channels)]
    assert planned == [("prepare", "email"), ("prepare", "sms"), ("day-before", "sms"), ("leave-soon", "sms")]


def test_no_channel_means_no_reminders() -> None:
    assert planned_reminders(VISIT, []) == []


def test_now_must_be_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_reminders([VISIT], [EMAIL], datetime.datetime(2027, 3, 9, 11))  # noqa: DTZ001 - the naive time is the point of the test


@pytest.mark.parametrize("locale", ["en", "es"])
def test_each_rule_has_words_in_both_languages(locale: str) -> None:
    t = translator(locale)
    texts = {rule: rule_text(rule, VISIT.start, t) for rule in ("prepare", "day-before", "leave-soon")}
    assert len(set(texts.values())) == 3
    assert "11:00" in texts["leave-soon"]
    with pytest.raises(ValueError, match="unknown"):
        rule_text("whenever", VISIT.start, t)

"""iCalendar export: stable UIDs and SEQUENCE, neutral titles, one alarm, a refreshable feed."""

from __future__ import annotations

import datetime

import icalendar
import pytest

from msinfusion.exports.ical import cancellation_ics, feed_ics, visit_ics
from msinfusion.plan import PatientFile, build_plan
from msinfusion.therapies import load_catalog
from tests.exports.conftest import ISSUED, START, make_plan

CATALOG = load_catalog()


def events(data: bytes) -> list[icalendar.cal.Component]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


@pytest.mark.parametrize("therapy", CATALOG.ids)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_feed_parses_with_one_event_per_planned_visit(therapy: str, locale: str) -> None:
    plan = make_plan(therapy, locale)
    found = events(feed_ics(plan))
    assert [str(e["UID"]) for e in found] == [v.uid for v in plan.visits]


def test_a_reimport_keeps_every_uid_and_sequence() -> None:
    first = icalendar.Calendar.from_ical(feed_ics(make_plan()))
    again = icalendar.Calendar.from_ical(first.to_ical())
    assert [(str(e["UID"]), int(str(e["SEQUENCE"]))) for e in again.walk("VEVENT")] == [
        (str(e["UID"]), int(str(e["SEQUENCE"]))) for e in first.walk("VEVENT")
    ]


def test_an_update_replaces_events_with_the_same_uid_and_a_higher_sequence() -> None:
    before = {str(e["UID"]): int(str(e["SEQUENCE"])) for e in events(feed_ics(make_plan()))}
    after = {str(e["UID"]): int(str(e["SEQUENCE"])) for e in events(feed_ics(make_plan(given=[START])))}
    assert set(after) < set(before)
    assert all(after[uid] > before[uid] for uid in after)


def test_event_times_are_the_chair_start_and_expected_finish_in_the_centers_time_zone() -> None:
    plan = make_plan()
    event = events(feed_ics(plan))[0]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert str(start.tzinfo) == "America/New_York"
    assert start == plan.visits[0].times.start
    assert end - start == datetime.timedelta(minutes=plan.visits[0].timeline.chair_minutes)
    assert b"BEGIN:VTIMEZONE" in feed_ics(plan)


def test_titles_are_neutral_unless_the_patient_opts_in() -> None:
    neutral = events(feed_ics(make_plan()))
    assert str(neutral[0]["SUMMARY"]) == "Infusion appointment"
    assert str(neutral[1]["SUMMARY"]) == "Infusion appointment (time to be confirmed)"
    assert all("ocrelizumab" not in str(e["SUMMARY"]).lower() for e in neutral)
    assert all("methylprednisolone" not in str(e["DESCRIPTION"]) for e in neutral)
    opted = build_plan(
        CATALOG.get("ocrelizumab-iv"), START, issued=ISSUED, patient=PatientFile(calendar_shows_treatment=True)
    )
    assert "Ocrelizumab IV (OCREVUS)" in str(events(feed_ics(opted))[0]["SUMMARY"])


def test_confirmed_visits_are_confirmed_and_the_rest_tentative() -> None:
    found = events(feed_ics(make_plan()))
    assert str(found[0]["STATUS"]) == "CONFIRMED"
    assert {str(e["STATUS"]) for e in found[1:]} == {"TENTATIVE"}


def test_the_description_holds_the_visit_timeline_and_the_centers_address_is_the_location() -> None:
    event = events(feed_ics(make_plan()))[0]
    description = str(event["DESCRIPTION"])
    assert description.startswith("Arrive by 8:45\u202fAM.")
    for phrase in ("Check-in and vital signs", "Premedicine (30 minutes)", "Watching for reactions", "(413) 555-0142"):
        assert phrase in description
    assert "200 River Road" in str(event["LOCATION"])


def test_each_event_has_one_alarm_the_day_before_after_every_event_property() -> None:
    data = feed_ics(make_plan()).decode()
    for block in data.split("BEGIN:VEVENT")[1:]:
        body = block.split("END:VEVENT")[0]
        assert body.count("BEGIN:VALARM") == 1
        assert "TRIGGER:-P1D" in body and "ACTION:DISPLAY" in body
        after_alarm = body.split("END:VALARM")[1]
        assert after_alarm.strip() == "", "event properties must come before the alarm (new Outlook)"


def test_the_feed_asks_clients_to_refresh_every_six_hours() -> None:
    data = feed_ics(make_plan()).decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in data
    assert "X-PUBLISHED-TTL:PT6H" in data
    assert "METHOD:PUBLISH" in data


def test_one_visit_can_be_exported_on_its_own_with_the_same_uid() -> None:
    plan = make_plan()
    single = events(visit_ics(plan, plan.visits[1]))
    assert [str(e["UID"]) for e in single] == [plan.visits[1].uid]


def test_the_calendar_is_in_spanish_for_a_spanish_speaking_patient() -> None:
    event = events(feed_ics(make_plan(locale="es")))[0]
    assert str(event["SUMMARY"]) == "Cita de infusión"
    assert "Registro y signos vitales" in str(event["DESCRIPTION"])


def test_a_cancellation_keeps_the_uid_raises_the_sequence_and_says_cancelled() -> None:
    plan = make_plan()
    visit = plan.visits[0]
    data = cancellation_ics(plan, visit.uid, visit.times.start, visit.times.finish, visit.sequence + 1)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = events(data)
    assert (str(event["UID"]), int(str(event["SEQUENCE"])), str(event["STATUS"])) == (
        visit.uid,
        visit.sequence + 1,
        "CANCELLED",
    )
    assert list(event.walk("VALARM")) == []

"""Messages read the same in text and HTML, in the patient's language, and carry no health details to staff."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from msinfusion.i18n import translator
from msinfusion.reminders.messages import (
    VisitFacts,
    check_call_message,
    reminder_message,
    verification_message,
    visit_facts,
    visit_notice_message,
)
from msinfusion.screening import Outcome
from tests.exports.conftest import make_plan

ZONE = ZoneInfo("America/New_York")
START = datetime.datetime(2027, 3, 10, 11, 0, tzinfo=ZONE)
VISIT = VisitFacts(
    start=START,
    confirmed=True,
    arrive_by=START - datetime.timedelta(minutes=15),
    plan_text="about 5 hours",
    center_name="Riverside <Infusion> Center",
    center_address="200 River Road, Springfield",
    center_phone="(413) 555-0142",
)
UNSUBSCRIBE = "https://clinic.example/unsubscribe/abc.def?x=1&y=2"


class Text(HTMLParser):
    """The visible text and the link targets of an HTML body."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs)["href"] or "")
        if tag == "html":
            self.lang = dict(attrs).get("lang")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def parsed(html: str) -> Text:
    parser = Text()
    parser.feed(html)
    return parser


def test_a_reminder_says_the_rule_then_when_where_and_how_long() -> None:
    message = reminder_message("day-before", VISIT, translator("en"), UNSUBSCRIBE)
    assert message.subject == "Reminder: your infusion visit on March 10, 2027"
    lines = message.text.split("\n\n")
    assert lines[0] == "Your infusion is tomorrow. Drink water, pack your bag and check your ride home."
    assert "When: Wednesday, March 10, 2027 at 11:00\u202fAM" in lines
    assert "Arrive by 10:45\u202fAM." in lines
    assert "Plan for about 5 hours." in lines
    assert message.text.rstrip().endswith(UNSUBSCRIBE)


def test_the_html_part_says_what_the_text_part_says_with_everything_escaped() -> None:
    message = reminder_message("prepare", VISIT, translator("en"), UNSUBSCRIBE)
    html = parsed(message.html)
    visible = " ".join(" ".join(html.parts).split())
    assert "Riverside <Infusion> Center" in visible  # shown as text, not markup
    assert "<Infusion>" not in message.html
    assert html.links == [UNSUBSCRIBE]
    assert html.lang == "en"
    for line in message.text.split("\n\n")[:-1]:
        assert " ".join(line.split()) in visible


def test_a_spanish_speaking_patient_gets_the_reminder_in_spanish() -> None:
    message = reminder_message("leave-soon", VISIT, translator("es"), UNSUBSCRIBE)
    assert message.subject == "Recordatorio: su cita de infusión el 10 de marzo de 2027"
    assert message.text.startswith("Su infusión es hoy a las 11:00.")
    assert "Dejar de recibir estos correos" in message.html
    assert parsed(message.html).lang == "es"


def test_a_time_not_yet_confirmed_is_said_plainly() -> None:
    unconfirmed = VISIT.model_copy(update={"confirmed": False})
    message = reminder_message("prepare", unconfirmed, translator("en"), None)
    assert "The time is to be confirmed by the center." in message.text
    assert "Arrive by" not in message.text
    assert "Stop these e-mails" not in message.text


@pytest.mark.parametrize(
    ("change", "subject", "lead"),
    [
        ("booked", "Your infusion visit is booked for March 10, 2027", "Your infusion center booked a visit for you."),
        ("moved", "Your infusion visit has moved to March 10, 2027", "Your infusion center moved your visit"),
        ("cancelled", "Your infusion visit on March 10, 2027 is cancelled", "Your infusion center cancelled"),
    ],
)
def test_staff_changes_to_a_visit_are_told_to_the_patient(change: str, subject: str, lead: str) -> None:
    before = START - datetime.timedelta(days=2)
    message = visit_notice_message(change, VISIT, translator("en"), UNSUBSCRIBE, previous_start=before)  # type: ignore[arg-type]
    assert message.subject == subject
    assert message.text.startswith(lead)
    if change == "moved":
        assert "The old time, Monday, March 8, 2027 at 11:00\u202fAM, is no longer booked for you." in message.text
    if change == "cancelled":
        assert "Please call the center to find a new time." in message.text
        assert "calendar file" not in message.text
    else:
        assert "Open the attached calendar file" in message.text


@pytest.mark.parametrize(("hours", "words"), [(1, "works for 1 hour."), (24, "works for 24 hours.")])
def test_the_verification_e_mail_links_to_the_check_and_says_how_long_it_works(hours: int, words: str) -> None:
    message = verification_message(translator("en"), "Riverside", "https://clinic.example/verify/t", hours)
    assert message.subject == "Please confirm your e-mail address"
    assert words in message.text
    assert parsed(message.html).links == ["https://clinic.example/verify/t"]


def test_the_center_notice_names_the_patient_by_reference_only() -> None:
    message = check_call_message(
        "P001", datetime.date(2027, 3, 10), Outcome.CALL_CENTER, "https://clinic.example/staff/patients/1"
    )
    assert message.subject == "Pre-infusion check needs a call: patient P001"
    assert "need a call before the patient comes in" in message.text
    assert "not a clearance" in message.text
    assert "antibiotic" not in message.text.lower()


def test_visit_facts_come_from_the_plan() -> None:
    plan = make_plan()
    facts = visit_facts(plan, plan.visits[0])
    assert facts.start == plan.visits[0].times.start
    assert facts.center_phone == plan.center.phone_text()

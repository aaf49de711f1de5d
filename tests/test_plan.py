"""The personal plan: calendar, visits, preparation, card and check, assembled for one patient."""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from msinfusion.center import demo_center
from msinfusion.dose_matching import match_bookings
from msinfusion.exports.text import plan_text
from msinfusion.plan import PatientFile, PersonalPlan, build_plan, patient_file
from msinfusion.regimens import RegimenError
from msinfusion.reminders import ReminderChannel
from msinfusion.screening import Outcome, ScreeningError, all_questions
from msinfusion.therapies import load_catalog

CATALOG = load_catalog()
START = datetime.date(2027, 1, 4)
ISSUED = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 1)


def make(therapy: str = "ocrelizumab-iv", **kwargs: Any) -> PersonalPlan:
    kwargs.setdefault("center", demo_center())
    return build_plan(CATALOG.get(therapy), START, issued=ISSUED, bsa=1.8, **kwargs)


# The seed article's topics, and where each one shows up in the plan (English text rendering).
SEED_TOPICS = {
    "where": ["Where: Riverside Infusion Center, 200 River Road"],
    "how long": ["Plan for about 5 hours", "expect to finish around"],
    "premedication": ["Premedicine before the infusion: methylprednisolone", "Premedicine (30 minutes)"],
    "observation": ["Watching for reactions (1 hour)"],
    "preparation": ["Rest and drink water", "Confirm your visit with the center", "Caffeine and smoking"],
    "info list": ["allergies, medicines, health conditions and emergency contacts", "My information card"],
    "symptoms": ["new or worse problems with thinking, eyesight, balance, strength or speech"],
    "driver": ["Arrange a ride home", "Have someone drive you home"],
    "clothing": ["Loose clothes with sleeves that roll up", "Comfortable shoes", "No perfume"],
    "what to bring": ["Pack your bag", "a book, an audiobook or a podcast", "What the center has for you"],
}


@pytest.mark.parametrize("topic", SEED_TOPICS)
def test_each_seed_topic_appears_in_the_plan(topic: str) -> None:
    text = plan_text(make())
    for phrase in SEED_TOPICS[topic]:
        assert phrase in text, f"{topic}: {phrase!r} missing"


@pytest.mark.parametrize("therapy", CATALOG.ids)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_a_plan_builds_for_every_therapy_in_both_languages(therapy: str, locale: str) -> None:
    plan = make(therapy, locale=locale)
    assert plan.locale == locale
    assert plan.visits and plan.next_visit is plan.visits[0]
    assert plan.check is not None and plan.check.dose_number == plan.visits[0].number
    for visit in plan.visits:
        assert visit.times.finish > visit.times.start
        assert visit.preparation.tasks


def test_the_plan_says_once_that_it_supports_the_care_team() -> None:
    plan = make()
    assert plan.disclaimer == (
        "This plan helps you get ready. It does not replace your care team: always follow their advice."
    )
    assert plan_text(plan).count(plan.disclaimer) == 1


def test_without_an_active_channel_the_plan_lists_no_reminders_and_says_how_to_turn_them_on() -> None:
    plan = make()
    assert all(v.reminders == [] for v in plan.visits)
    assert "We do not send you reminders yet" in plan.reminder_note
    assert "ask your infusion center to add your e-mail address" in plan.reminder_note
    text = plan_text(plan)
    assert "Reminders we send" not in text
    assert "we also send" not in text


def test_with_e_mail_reminders_the_plan_lists_what_the_server_sends() -> None:
    late_morning = patient_file({"appointments": {1: datetime.datetime(2027, 1, 4, 11, 0)}})  # noqa: DTZ001 - wall clock
    visit = make(patient=late_morning, reminder_channels=[ReminderChannel(channel="email")]).visits[0]
    start = visit.times.start
    assert [(r.id, start - r.at) for r in visit.reminders] == [
        ("prepare", datetime.timedelta(days=7)),
        ("day-before", datetime.timedelta(days=1)),
        ("leave-soon", datetime.timedelta(hours=2)),
    ]
    plan = make(reminder_channels=[ReminderChannel(channel="email")])
    assert plan.reminder_note.endswith("so we also send you these reminders by e-mail.")
    assert "Reminders we send" in plan_text(plan)


def test_the_plan_lists_only_the_reminders_the_patient_chose() -> None:
    visit = make(reminder_channels=[ReminderChannel(channel="email", rules=("day-before",))]).visits[0]
    assert [r.id for r in visit.reminders] == ["day-before"]


def test_the_plan_never_mentions_text_messages_unless_sms_is_active() -> None:
    for channels in ([], [ReminderChannel(channel="email")]):
        text = plan_text(make(reminder_channels=channels)).lower()
        assert "text message" not in text and "sms" not in text
    with_sms = make(reminder_channels=[ReminderChannel(channel="email"), ReminderChannel(channel="sms")])
    assert with_sms.reminder_note.endswith("by e-mail and by text message.")


def test_reminders_in_quiet_hours_are_listed_at_the_end_of_the_quiet_hours() -> None:
    early = {"appointments": {1: datetime.datetime(2027, 1, 4, 9, 0)}}  # noqa: DTZ001 - wall clock
    visit = make(patient=patient_file(early), reminder_channels=[ReminderChannel(channel="email")]).visits[0]
    leave_soon = next(r for r in visit.reminders if r.id == "leave-soon")
    assert leave_soon.at.time() == datetime.time(8, 0)  # 7:00 is inside the default quiet hours (21:00-8:00)
    assert "today at 9:00" in leave_soon.text


def test_calendar_uids_stay_the_same_when_a_dose_is_recorded_and_the_sequence_rises() -> None:
    before = make()
    after = make(given=[START])
    uids = {v.number: v.uid for v in before.visits}
    for visit in after.visits:
        assert visit.uid == uids[visit.number]
        assert visit.sequence == 1
    assert all(v.sequence == 0 for v in before.visits)
    assert after.visits[0].number == 2


def test_a_patient_id_keys_the_uids_and_a_revision_raises_the_sequence() -> None:
    plan = make(patient=PatientFile(id="pt-42", revision=3))
    assert plan.visits[0].uid == "pt-42-ocrelizumab-iv-dose-1@msinfusion"
    assert plan.visits[0].sequence == 3


def test_a_booked_time_is_used_and_confirmed() -> None:
    patient = patient_file({"appointments": {"1": "2027-01-04T10:30:00"}})
    visit = make(patient=patient).visits[0]
    assert visit.times.confirmed
    assert visit.times.start.hour == 10 and visit.times.start.tzinfo is not None
    assert not make(patient=patient).visits[1].times.confirmed


def test_the_patients_language_is_used_unless_another_is_asked_for() -> None:
    patient = PatientFile(language="es")
    assert make(patient=patient).locale == "es"
    assert make(patient=patient, locale="en").locale == "en"


def test_the_check_answers_go_to_the_next_visit_and_the_center_sees_the_same_outcome() -> None:
    patient = patient_file({"answers": {"infection": True}})
    plan = make(patient=patient)
    assert plan.check is not None and plan.check.outcome is Outcome.CALL_CENTER
    data = json.loads(plan.model_dump_json())
    assert data["check"]["outcome"] == "call-center"
    assert data["check"]["call_phone"] == plan.center.phone


def test_an_answer_the_check_does_not_ask_is_refused() -> None:
    with pytest.raises(ScreeningError):
        make(patient=patient_file({"answers": {"no-such-question": True}}))


def test_a_patient_file_with_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        patient_file({"allergies": ["latex"]}, today=TODAY)
    assert error.value.errors()[0]["loc"] == ("allergies",)


def test_a_patient_file_reads_phone_numbers_in_its_region() -> None:
    patient = patient_file(
        {"region": "GB", "card": {"emergency_contacts": [{"name": "Sam", "phone": "020 7946 0000"}]}}, today=TODAY
    )
    assert patient.card.emergency_contacts[0].phone == "+442079460000"


def test_a_dose_per_body_surface_area_shows_the_milligrams() -> None:
    assert make("mitoxantrone").visits[0].dose_text == "12 mg/m2 (21.6 mg)"


def test_regimen_problems_are_reported_as_regimen_errors() -> None:
    with pytest.raises(RegimenError):
        build_plan(CATALOG.get("mitoxantrone"), START, issued=ISSUED)


def test_a_visit_on_a_day_the_center_is_closed_says_so() -> None:
    sunday = datetime.date(2027, 1, 3)
    plan = build_plan(CATALOG.get("natalizumab"), sunday, issued=ISSUED)
    assert "usually closed" in plan.visits[0].notes[0]


def test_staff_notes_carry_what_needs_review() -> None:
    plan = make("natalizumab")
    assert "check question immune-condition" in plan.staff.needs_review
    assert any("TOUCH" in flag for flag in plan.staff.flags)


def test_the_plan_round_trips_through_json() -> None:
    plan = make(patient=patient_file({"card": {"name": "Ana"}, "answers": {"infection": False}}))
    assert PersonalPlan.model_validate_json(plan.model_dump_json()) == plan


def test_the_plan_core_loads_no_web_database_cli_or_template_framework() -> None:
    modules = ["msinfusion.plan", "msinfusion.exports.ical", "msinfusion.exports.fhir", "msinfusion.exports.text"]
    forbidden = ["fastapi", "starlette", "sqlalchemy", "typer", "click", "rich", "jinja2", "uvicorn", "ortools"]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and not word.lower().endswith(("le", "ee")) else 0)
    return max(1, count)


def reading_grade(sentences: list[str]) -> float:
    """Flesch-Kincaid grade level with a vowel-group syllable count (a rough, offline approximation)."""
    words = [w for s in sentences for w in re.findall(r"[A-Za-z']+", s)]
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syllables / len(words) - 15.59


def test_patient_text_reads_at_about_a_sixth_to_eighth_grade_level() -> None:
    texts: set[str] = {q.text for q in all_questions()} | {q.reason for q in all_questions()}
    for therapy in CATALOG.ids:
        for task in make(therapy).visits[0].preparation.tasks:
            texts |= {task.title, task.detail, task.reason, *task.items}
    sentences = [s for text in texts for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    assert reading_grade(sentences) <= 8


def test_a_visit_booked_on_another_day_moves_its_preparation_with_it() -> None:
    patient = patient_file({"appointments": {"2": "2027-01-20T09:00:00"}})
    visit = make(patient=patient).visits[1]
    assert visit.date == datetime.date(2027, 1, 20)
    assert visit.preparation.task("pack").due == datetime.date(2027, 1, 19)
    assert make(patient=patient).staff.warnings == []
    late = make(patient=patient_file({"appointments": {"2": "2027-02-20T09:00:00"}}))
    assert late.staff.warnings == ["dose 2 is booked on 2027-02-20, outside its window"]


@dataclasses.dataclass(frozen=True)
class _Booking:
    dose_index: int | None
    day: datetime.date


def test_bookings_match_doses_by_number_first_then_by_day_within_the_window() -> None:
    plan = make()
    first, second = plan.visits[0], plan.visits[1]
    by_number = _Booking(second.number, first.date)
    by_day = _Booking(None, first.date)
    matched = match_bookings(plan.visits, [by_number, by_day])
    assert matched == {second.number: by_number, first.number: by_day}


def test_a_booking_outside_every_window_matches_no_dose() -> None:
    plan = make()
    assert match_bookings(plan.visits, [_Booking(None, plan.visits[0].window_start - datetime.timedelta(days=1))]) == {}


# --- clinical guards (issue 9) ----------------------------------------------------------------------------


def test_a_plan_made_today_lists_no_visit_in_the_past() -> None:
    today = datetime.date(2027, 8, 1)
    plan = make(given=[START, datetime.date(2027, 1, 18)], today=today, until=datetime.date(2028, 6, 1))
    assert plan.visits and all(v.date >= today and v.window_start >= today for v in plan.visits)


def test_after_a_serious_reaction_the_short_ocrevus_infusion_is_refused() -> None:
    from msinfusion.reactions import Reaction

    serious = Reaction(dose_number=3, date=datetime.date(2027, 7, 4), serious=True)
    with pytest.raises(RegimenError, match="without a prior serious infusion reaction"):
        make(option="short", reactions=[serious])
    plan = make(reactions=[serious], until=datetime.date(2028, 2, 1))
    assert any("serious reaction before" in n for n in plan.visits[0].notes)
    assert any("clinician's decision" in w for w in plan.staff.warnings)


def test_after_a_reaction_ublituximab_visits_include_observation_again() -> None:
    from msinfusion.reactions import Reaction

    mild = Reaction(dose_number=1, date=START)
    plain = make("ublituximab", until=datetime.date(2027, 7, 1))
    after = make("ublituximab", until=datetime.date(2027, 7, 1), reactions=[mild])
    third = next(v for v in plain.visits if v.number == 3)
    third_after = next(v for v in after.visits if v.number == 3)
    assert third.timeline.phase_minutes("observation") == 0
    assert third_after.timeline.phase_minutes("observation") == 60


@pytest.mark.parametrize("therapy", ["rituximab", "natalizumab-sztn", "mitoxantrone"])
def test_patients_see_a_caveat_when_a_visit_length_rests_on_an_unconfirmed_value(therapy: str) -> None:
    plan = make(therapy, until=datetime.date(2027, 3, 1))
    assert any("not confirmed yet" in n for n in plan.visits[0].notes)


def test_no_caveat_when_every_timed_value_is_confirmed() -> None:
    plan = make("ocrelizumab-iv", until=datetime.date(2027, 3, 1))
    assert not any("not confirmed yet" in n for v in plan.visits for n in v.notes)


def test_a_center_with_no_stored_profile_shows_no_made_up_phone_or_address() -> None:
    from msinfusion.exports.ical import feed_ics
    from msinfusion.exports.printable import plan_html

    patient = PatientFile(answers={"infection": True})
    plan = build_plan(CATALOG.get("ocrelizumab-iv"), START, issued=ISSUED, patient=patient, center=None)
    shown = plan_text(plan) + plan_html(plan) + feed_ics(plan).decode()
    assert "555" not in shown and "River Road" not in shown and "Riverside" not in shown
    assert plan.center_note and "Ask your care team" in plan.center_note
    assert plan.check is not None and plan.check.call_phone is None
    assert plan.check.call_phone_text == "the number your care team gave you"
    assert plan.card.center_phone_text == "the number your care team gave you"


def test_the_no_profile_wording_is_in_spanish_too() -> None:
    plan = build_plan(CATALOG.get("natalizumab"), START, issued=ISSUED, locale="es", center=None)
    assert "su centro de infusión" in plan_text(plan) and "555" not in plan_text(plan)

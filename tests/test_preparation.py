"""The preparation plan: dated tasks with reasons, personal to the visit, the therapy and the center."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from msinfusion.card import CardDetails, card_details
from msinfusion.center import CenterProfile, DayRule, DriverPolicy, demo_center
from msinfusion.i18n import translator
from msinfusion.preparation import SEED, PreparationPlan, Stage, preparation_plan, visit_times
from msinfusion.regimens import dose_calendar
from msinfusion.therapies import load_catalog
from msinfusion.visits import dose_visit

CATALOG = load_catalog()
START = datetime.date(2027, 1, 4)  # a Monday


def prepare(
    therapy_id: str,
    number: int = 1,
    *,
    center: CenterProfile | None = None,
    card: CardDetails | None = None,
    booked: datetime.datetime | None = None,
    locale: str = "en",
) -> PreparationPlan:
    therapy = CATALOG.get(therapy_id)
    center = center or demo_center()
    dose = dose_calendar(therapy, START, bsa=1.8).doses[number - 1]
    timeline = dose_visit(therapy, dose, center.visit_policy)
    times = visit_times(center, dose.date, timeline, booked)
    return preparation_plan(
        therapy,
        dose,
        timeline,
        times,
        center,
        card or CardDetails(),
        translator(locale),
        therapy_name=therapy.name,
        dose_text=f"{dose.amount:g} {dose.unit}",
    )


def test_first_infusion_asks_for_a_driver() -> None:
    plan = prepare("natalizumab", 1)
    assert plan.driver_needed
    assert "first infusion" in plan.task("driver").reason


def test_a_sedating_premedication_asks_for_a_driver_on_later_doses_too() -> None:
    plan = prepare("ocrelizumab-iv", 3)
    assert not plan.first_infusion
    assert "diphenhydramine" in plan.task("driver").reason
    assert "sleepy" in plan.task("driver").reason


def test_without_sedation_or_a_first_dose_the_patient_is_told_to_ask_about_driving() -> None:
    plan = prepare("natalizumab", 2)
    assert not plan.driver_needed
    assert "driver" not in plan.ids
    assert "safe for you to drive" in plan.task("ask-about-driving").detail
    assert "only if your care team said it is safe" in plan.task("ride-home").detail


def test_a_center_that_always_wants_a_driver_gets_one() -> None:
    center = demo_center().model_copy(update={"driver_policy": DriverPolicy.ALWAYS})
    plan = prepare("natalizumab", 2, center=center)
    assert plan.driver_needed
    assert "asks every patient to have a driver" in plan.task("driver").reason


def test_the_driver_on_the_card_is_named_in_the_plan() -> None:
    card = card_details({"driver": {"name": "Marta", "phone": "617-555-0188"}})
    plan = prepare("ocrelizumab-iv", 1, card=card)
    assert plan.task("driver").detail.startswith("Marta is your driver")
    assert plan.task("ride-home").detail == "Marta drives you home."


def test_tasks_are_dated_a_week_before_the_days_before_the_day_before_and_the_day() -> None:
    plan = prepare("ocrelizumab-iv", 3)
    day = plan.visit_date
    assert plan.task("confirm-details").due == day - datetime.timedelta(days=7)
    assert plan.task("rest-and-water").due == day - datetime.timedelta(days=3)
    assert plan.task("pack").due == day - datetime.timedelta(days=1)
    assert plan.task("clothing").due == day
    assert [stage for stage, _ in plan.by_stage()] == list(Stage)


def test_every_task_has_a_reason_and_a_source() -> None:
    for therapy in CATALOG.ids:
        for task in prepare(therapy, 1).tasks:
            assert task.reason.strip(), task.id
            assert task.sources, task.id


def test_the_week_before_confirms_date_time_place_treatment_and_premedication() -> None:
    items = prepare("ocrelizumab-iv", 1).task("confirm-details").items
    assert items[0] == "Date: Monday, January 4, 2027"
    assert items[1].startswith("Time: 8:15") and "(to be confirmed)" in items[1]
    assert "200 River Road" in items[2]
    assert items[3] == "Treatment: Ocrelizumab IV, 300 mg"
    assert "methylprednisolone" in items[4] and "diphenhydramine" in items[4]


def test_a_therapy_without_premedication_says_none_is_planned() -> None:
    assert prepare("natalizumab", 2).task("confirm-details").items[4] == "Premedicine: none planned"


def test_an_incomplete_card_lists_what_to_fill_in() -> None:
    task = prepare("ocrelizumab-iv", 1).task("card")
    assert task.items == [
        "Your name",
        "Your allergies, or that you have none",
        "The medicines you take",
        "An emergency contact",
    ]


def test_anti_cd20_first_dose_plans_vaccines_four_weeks_ahead_with_label_sources() -> None:
    task = prepare("ocrelizumab-iv", 1).task("vaccines")
    assert task.stage is Stage.DAYS_BEFORE
    assert task.due == START - datetime.timedelta(days=28)
    assert "ocrelizumab:S3" in task.sources
    assert "vaccines" not in prepare("ocrelizumab-iv", 3).ids


def test_alemtuzumab_antiviral_is_planned_for_the_first_day_of_a_course_only() -> None:
    assert "antiviral" in prepare("alemtuzumab", 1).ids
    assert "antiviral" not in prepare("alemtuzumab", 2).ids
    assert "antiviral" in prepare("alemtuzumab", 6).ids  # day 1 of the second course
    assert "herpes" in prepare("alemtuzumab", 1).task("antiviral").reason


def test_alemtuzumab_warns_about_stroke_signs_after_each_infusion() -> None:
    task = prepare("alemtuzumab", 2).task("stroke-signs")
    assert task.stage is Stage.AFTER
    assert "Call 911 right away" in task.detail and "emergency at any time" in task.detail
    assert task.sources == ["alemtuzumab:S2"]


def test_natalizumab_plans_touch_enrollment_before_every_infusion() -> None:
    for number in (1, 2, 13):
        task = prepare("natalizumab", number).task("touch")
        assert "TOUCH" in task.detail
        assert task.needs_review  # the checklist is a 2013 copy (S6); the current form was not seen (S18)


def test_the_biosimilars_unconfirmed_safety_program_is_marked_for_review() -> None:
    assert prepare("natalizumab-sztn", 2).task("rems").needs_review


def test_mitoxantrone_plans_a_heart_test_before_every_dose() -> None:
    assert "heart-test" in prepare("mitoxantrone", 3).ids


def test_the_pack_list_has_something_to_do_food_warmth_and_the_card() -> None:
    items = " ".join(prepare("ocrelizumab-iv", 1).task("pack").items)
    for word in ("book", "audiobook", "podcast", "charged", "headphones", "Snacks", "blanket", "information card"):
        assert word in items


def test_the_plan_says_what_the_center_provides() -> None:
    task = prepare("ocrelizumab-iv", 1).task("center-provides")
    assert task.items == ["water", "coffee and tea", "snacks", "blankets", "free Wi-Fi", "free parking"]


def test_a_center_without_listed_amenities_is_called_to_ask() -> None:
    center = demo_center().model_copy(update={"amenities": []})
    assert "ask what they have" in prepare("ocrelizumab-iv", 1, center=center).task("center-provides").detail


def test_the_centers_own_caffeine_and_smoking_wording_is_used() -> None:
    task = prepare("ocrelizumab-iv", 1).task("caffeine-and-smoking")
    assert task.detail == demo_center().caffeine.wording["en"]  # type: ignore[union-attr]
    assert task.items == [demo_center().smoking.wording["en"]]  # type: ignore[union-attr]
    spanish = prepare("ocrelizumab-iv", 1, locale="es").task("caffeine-and-smoking")
    assert spanish.detail == demo_center().caffeine.wording["es"]  # type: ignore[union-attr]


def test_a_rule_without_wording_in_the_language_is_written_from_its_hours() -> None:
    center = demo_center().model_copy(update={"caffeine": DayRule(hours_before=6), "smoking": None})
    task = prepare("ocrelizumab-iv", 1, center=center).task("caffeine-and-smoking")
    assert task.detail == "Do not have coffee, tea, cola or energy drinks in the 6 hours before your visit."
    assert task.items == ["Ask your care team if you should not smoke before your visit."]


def test_clothing_advice_covers_sleeves_layers_shoes_fragrance_and_the_iv_arm() -> None:
    task = prepare("ocrelizumab-iv", 1).task("clothing")
    text = " ".join([task.detail, task.reason, *task.items])
    for phrase in ("sleeves that roll up", "Layers", "Comfortable shoes", "No perfume", "One arm will hold the IV"):
        assert phrase in text


def test_arrival_allows_for_check_in_and_premedication_and_the_finish_comes_from_the_timeline() -> None:
    therapy = CATALOG.get("ocrelizumab-iv")
    booked = datetime.datetime(2027, 1, 4, 9, 0)  # noqa: DTZ001 - a booked time is the center's wall clock
    plan = prepare("ocrelizumab-iv", 1, booked=booked)
    arrive = plan.task("arrive")
    assert arrive.detail.startswith("Arrive by 8:45\u202fAM. Check-in starts at 9:00\u202fAM.")
    assert "premedicine about 30 minutes before the infusion" in arrive.detail
    assert "placeholder" not in arrive.detail
    chair = dose_visit(therapy, dose_calendar(therapy, START).doses[0]).chair_minutes
    finish = (datetime.datetime.combine(START, datetime.time(9, 0)) + datetime.timedelta(minutes=chair)).time()
    assert f"around {finish.hour - 12}:{finish.minute:02d}\u202fPM" in plan.task("finish").detail


def test_without_a_booked_time_the_arrival_is_a_placeholder_to_confirm() -> None:
    assert "placeholder until the center books your visit" in prepare("ocrelizumab-iv", 1).task("arrive").detail


def test_after_the_visit_the_plan_says_when_reactions_can_happen_and_whom_to_call() -> None:
    task = prepare("ocrelizumab-iv", 1).task("reactions")
    assert "up to 24 hours" in task.detail
    assert "(413) 555-0142" in task.detail and "911" in task.detail
    assert task.sources == ["ocrelizumab:S9"]
    other = prepare("natalizumab", 1).task("reactions")
    assert "24 hours" not in other.detail and "(413) 555-0142" in other.detail


def test_late_reaction_hours_come_from_each_therapy_data_file() -> None:
    assert prepare("ublituximab", 1).task("reactions").sources == ["ublituximab:S10"]
    assert "up to 24 hours" in prepare("ublituximab", 1).task("reactions").detail
    assert "up to 48 hours" in prepare("alemtuzumab", 1).task("reactions").detail


def test_the_plan_is_in_spanish_for_a_spanish_speaking_patient() -> None:
    plan = prepare("ocrelizumab-iv", 1, locale="es")
    assert plan.task("pack").title == "Prepare su bolsa"
    assert plan.task("confirm-details").items[0] == "Fecha: lunes, 4 de enero de 2027"
    assert "difenhidramina" in plan.task("driver").reason


@settings(max_examples=40, deadline=None)
@given(
    therapy=st.sampled_from(CATALOG.ids),
    start=st.dates(datetime.date(2026, 1, 1), datetime.date(2030, 12, 31)),
    hour=st.integers(7, 15),
)
def test_times_add_up_for_any_therapy_and_start(therapy: str, start: datetime.date, hour: int) -> None:
    chosen = CATALOG.get(therapy)
    center = demo_center()
    dose = dose_calendar(chosen, start, bsa=1.8).doses[0]
    timeline = dose_visit(chosen, dose, center.visit_policy)
    times = visit_times(center, dose.date, timeline, datetime.datetime.combine(dose.date, datetime.time(hour)))
    assert times.finish - times.start == datetime.timedelta(minutes=timeline.chair_minutes)
    assert times.arrive_by <= times.start
    assert times.phases[0][0] == "check-in"
    assert all(earlier[1] <= later[1] for earlier, later in zip(times.phases, times.phases[1:], strict=False))
    plan = preparation_plan(
        chosen, dose, timeline, times, center, CardDetails(), translator("en"), therapy_name="x", dose_text="y"
    )
    for task in plan.tasks:
        if task.stage is not Stage.AFTER:
            assert task.due <= dose.date, task.id
    assert SEED in plan.task("pack").sources

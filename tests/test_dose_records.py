"""A dose record is checked against the patient's calendar; problems are refused unless a clinician confirms."""

from __future__ import annotations

from datetime import date, timedelta

from msinfusion.dose_records import (
    ClinicianConfirmation,
    ProblemKind,
    ProposedDose,
    RecordedDose,
    check_recorded_dose,
    decide,
)
from msinfusion.regimens import dose_calendar
from msinfusion.therapies import Therapy, apply_overrides, load_catalog

START = date(2027, 1, 4)


def _therapy(name: str) -> Therapy:
    return load_catalog().get(name)


def _given(*days: date, amount: float | None = None) -> list[RecordedDose]:
    return [RecordedDose(d, amount) for d in days]


def _kinds(problems: list) -> set[ProblemKind]:  # type: ignore[type-arg]
    return {p.kind for p in problems}


def test_the_ocrelizumab_dose_on_its_date_with_the_label_amount_has_no_problem() -> None:
    given = _given(START, START + timedelta(days=14))
    proposed = ProposedDose(date(2027, 7, 4), 600)
    assert check_recorded_dose(_therapy("ocrelizumab-iv"), START, given, proposed, date(2027, 7, 4)) == []


def test_an_ocrelizumab_dose_eleven_weeks_early_breaks_the_minimum_interval() -> None:
    given = _given(START, START + timedelta(days=14))
    early = date(2027, 7, 4) - timedelta(weeks=11)
    problems = check_recorded_dose(_therapy("ocrelizumab-iv"), START, given, ProposedDose(early, 600), early)
    assert _kinds(problems) == {ProblemKind.MIN_INTERVAL}
    assert problems[0].field == "date"
    assert "S5" in problems[0].sources


def test_a_second_ocrelizumab_infusion_ten_days_after_the_first_is_before_its_window() -> None:
    day = START + timedelta(days=10)
    problems = check_recorded_dose(_therapy("ocrelizumab-iv"), START, _given(START), ProposedDose(day, 300), day)
    assert _kinds(problems) == {ProblemKind.BEFORE_WINDOW}
    assert problems[0].sources == ("S2",)


def test_alemtuzumab_course_two_21_days_after_course_one_is_out_of_sequence() -> None:
    course_one = _given(*(START + timedelta(days=i) for i in range(5)))
    day = START + timedelta(days=4 + 21)
    problems = check_recorded_dose(_therapy("alemtuzumab"), START, course_one, ProposedDose(day, 12), day)
    assert _kinds(problems) == {ProblemKind.COURSE_SEQUENCE}
    assert "course 2" in problems[0].message and "12 months" in problems[0].message


def test_an_amount_that_is_not_the_label_amount_for_the_step_is_a_problem() -> None:
    problems = check_recorded_dose(_therapy("ocrelizumab-iv"), START, [], ProposedDose(START, 99_999), START)
    assert _kinds(problems) == {ProblemKind.AMOUNT}
    assert problems[0].field == "amount_mg" and "300 mg" in problems[0].message


def test_a_600_mg_dose_recorded_as_the_first_300_mg_infusion_is_a_problem() -> None:
    problems = check_recorded_dose(_therapy("ocrelizumab-iv"), START, [], ProposedDose(START, 600), START)
    assert _kinds(problems) == {ProblemKind.AMOUNT}


def test_a_date_in_the_future_or_before_the_prescription_is_a_problem() -> None:
    therapy = _therapy("natalizumab")
    future = check_recorded_dose(therapy, START, [], ProposedDose(START + timedelta(days=3), 300), START)
    assert ProblemKind.FUTURE in _kinds(future)
    before = check_recorded_dose(therapy, START, [], ProposedDose(START - timedelta(days=1), 300), START)
    assert _kinds(before) == {ProblemKind.BEFORE_START}


def test_a_date_not_after_the_last_dose_and_a_wrong_step_are_problems() -> None:
    therapy = _therapy("natalizumab")
    same = check_recorded_dose(therapy, START, _given(START), ProposedDose(START, 300), START)
    assert ProblemKind.OUT_OF_ORDER in _kinds(same)
    day = START + timedelta(weeks=4)
    step = check_recorded_dose(therapy, START, _given(START), ProposedDose(day, 300, number=5), day)
    assert _kinds(step) == {ProblemKind.STEP}


def test_a_mitoxantrone_amount_is_checked_against_the_bsa() -> None:
    therapy = _therapy("mitoxantrone")
    assert check_recorded_dose(therapy, START, [], ProposedDose(START, 21.6), START, bsa=1.8) == []
    assert _kinds(check_recorded_dose(therapy, START, [], ProposedDose(START, 30), START, bsa=1.8)) == {
        ProblemKind.AMOUNT
    }


def test_the_center_amount_after_an_override_is_the_amount_checked() -> None:
    local = apply_overrides(_therapy("ocrelizumab-iv"), {"dosing[0].amount": 600})
    assert check_recorded_dose(local, START, [], ProposedDose(START, 600), START) == []


def test_problems_are_refused_without_a_confirmation_and_flagged_with_one() -> None:
    problems = check_recorded_dose(_therapy("ocrelizumab-iv"), START, [], ProposedDose(START, 99_999), START)
    assert not decide(problems).accepted
    assert not decide(problems, ClinicianConfirmation("Dr Vega", "  ")).accepted
    decision = decide(problems, ClinicianConfirmation("Dr Vega", "dose entered in micrograms by the pump"))
    assert decision.accepted
    assert decision.flags and "Dr Vega" in decision.flags[0] and "amount" in decision.flags[0]
    assert decide([]).accepted and decide([]).flags == ()


def test_after_a_confirmed_early_dose_the_calendar_counts_from_it_and_lists_no_past_dates() -> None:
    therapy = _therapy("ocrelizumab-iv")
    early = date(2027, 4, 20)
    today = date(2027, 5, 1)
    calendar = dose_calendar(therapy, START, date(2028, 6, 1), [START, date(2027, 1, 18), early], as_of=today)
    third = calendar.doses[2]
    assert third.status == "given" and "what follows counts from it" in " ".join(third.notes)
    planned = [d for d in calendar.doses if d.status == "planned"]
    assert planned[0].date == date(2027, 10, 20)
    assert all(d.date >= today and d.window.start >= today for d in planned)
    assert not any("missed" in n for d in calendar.doses for n in d.notes)


def test_a_planned_date_that_has_passed_inside_its_window_moves_to_today() -> None:
    therapy = _therapy("natalizumab")
    today = START + timedelta(weeks=4, days=2)  # dose 2's target has passed; its window runs 3 more days
    calendar = dose_calendar(therapy, START, START + timedelta(days=90), [START], as_of=today)
    second = calendar.doses[1]
    assert second.status == "planned" and second.date == today and second.window.start == today
    assert not any("missed" in n for n in second.notes)


def test_a_requested_date_keeps_the_window_the_dose_had_before_the_request() -> None:
    # A booking engine asks for a date and then checks it against the calendar: both must see one window.
    therapy = _therapy("natalizumab")
    today = START + timedelta(weeks=4, days=2)
    plain = dose_calendar(therapy, START, START + timedelta(days=90), [START], as_of=today).doses[1]
    asked = dose_calendar(
        therapy, START, START + timedelta(days=90), [START], as_of=today, requested={2: today + timedelta(days=1)}
    ).doses[1]
    assert asked.window == plain.window and asked.window.start == today


def test_a_missed_dose_gets_a_window_from_today_not_in_the_past() -> None:
    therapy = _therapy("natalizumab")
    today = START + timedelta(weeks=8)
    calendar = dose_calendar(therapy, START, START + timedelta(days=120), [START], as_of=today)
    second = calendar.doses[1]
    assert "missed: give as soon as possible" in second.notes
    assert second.window.start == today


def test_a_second_rituximab_infusion_ten_days_after_the_first_breaks_the_two_week_minimum() -> None:
    day = START + timedelta(days=10)
    problems = check_recorded_dose(_therapy("rituximab"), START, _given(START), ProposedDose(day, 1000), day)
    assert _kinds(problems) == {ProblemKind.MIN_INTERVAL}
    assert "14 days" in problems[0].message and problems[0].sources == ("S4",)


def test_a_mitoxantrone_dose_without_its_recorded_lvef_is_a_problem() -> None:
    therapy = _therapy("mitoxantrone")
    proposed = ProposedDose(START, 21.6)
    problems = check_recorded_dose(therapy, START, [], proposed, START, bsa=1.8, recorded_checks={"neutrophils"})
    assert {p.kind for p in problems} == {ProblemKind.MISSING_CHECK}
    assert problems[0].message.startswith("LVEF")
    done = {"lvef", "neutrophils", "blood-liver-pregnancy"}
    assert check_recorded_dose(therapy, START, [], proposed, START, bsa=1.8, recorded_checks=done) == []


def test_a_natalizumab_dose_after_a_serious_reaction_needs_a_clinician() -> None:
    from msinfusion.reactions import Reaction

    day = START + timedelta(weeks=4)
    serious = [Reaction(dose_number=1, date=START, serious=True)]
    problems = check_recorded_dose(
        _therapy("natalizumab"), START, _given(START), ProposedDose(day, 300), day, reactions=serious
    )
    assert _kinds(problems) == {ProblemKind.AFTER_SERIOUS_REACTION}
    assert problems[0].sources == ("S5",)

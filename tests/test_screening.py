"""The pre-infusion check: questions as sourced data, and answers triaged to proceed, call first or do not come."""

from __future__ import annotations

import pytest

from msinfusion.center import demo_center
from msinfusion.i18n import translator
from msinfusion.screening import (
    Outcome,
    ScreeningError,
    all_questions,
    assess,
    data_files,
    questions_for,
)
from msinfusion.therapies import Status, load_catalog

CATALOG = load_catalog()
ANTI_CD20 = ["ocrelizumab-iv", "ocrelizumab-sc", "ublituximab", "rituximab"]
NATALIZUMAB = ["natalizumab", "natalizumab-sztn"]
EN = translator("en")


def all_clear(therapy: str, dose: int) -> dict[str, bool]:
    """Answers that flag nothing."""
    return {q.id: not q.trigger for q in questions_for(therapy, dose)}


def test_the_question_files_load_with_unique_ids() -> None:
    assert len(data_files()) >= 3
    ids = [q.id for q in all_questions()]
    assert len(ids) == len(set(ids))


def test_every_question_source_is_a_source_of_the_labels_file_it_names() -> None:
    known = {f"{therapy.labels_file.removesuffix('.md')}:{sid}" for therapy in CATALOG for sid in therapy.sources}
    for question in all_questions():
        cited = list(question.sources) + [s for rule in question.overrides.values() for s in rule.sources]
        assert set(cited) <= known, question.id
        for therapy_id in [*question.overrides, *([] if question.therapies == "all" else question.therapies)]:
            assert therapy_id in CATALOG.ids, question.id


@pytest.mark.parametrize("therapy", CATALOG.ids)
def test_every_therapy_asks_about_infection_and_new_symptoms(therapy: str) -> None:
    ids = {q.id for q in questions_for(therapy, 2)}
    assert "infection" in ids
    assert {"neuro-change", "relapse-change"} & ids
    assert "last-reaction" in ids


def test_the_first_dose_does_not_ask_about_a_previous_reaction() -> None:
    assert "last-reaction" not in {q.id for q in questions_for("ocrelizumab-iv", 1)}


@pytest.mark.parametrize("therapy", CATALOG.ids)
def test_vaccinations_before_a_first_dose_are_checked_only_for_anti_cd20_therapies(therapy: str) -> None:
    first = {q.id for q in questions_for(therapy, 1)}
    later = {q.id for q in questions_for(therapy, 3)}
    assert ("vaccines-reviewed" in first) == (therapy in ANTI_CD20)
    assert "vaccines-reviewed" not in later


def test_pregnancy_is_asked_where_the_label_asks_before_each_dose() -> None:
    assert "pregnancy" in {q.id for q in questions_for("ublituximab", 4)}
    assert "pregnancy-test" in {q.id for q in questions_for("mitoxantrone", 4)}
    assert not {"pregnancy", "pregnancy-test"} & {q.id for q in questions_for("natalizumab", 4)}


@pytest.mark.parametrize("therapy", NATALIZUMAB)
def test_natalizumab_touch_questions_are_marked_as_needing_clinical_review(therapy: str) -> None:
    result = assess(therapy, 5, {}, demo_center(), EN)
    touch = {"neuro-change", "immune-meds", "immune-condition"}
    assert touch <= set(result.needs_review)
    for question in result.questions:
        if question.id in touch:
            assert question.outcome is Outcome.DO_NOT_COME
            assert "natalizumab:S6" in question.sources


def test_unverified_questions_are_the_ones_marked_for_review() -> None:
    for question in all_questions():
        for therapy in CATALOG.ids:
            rule = question.rule(therapy)
            assert rule.needs_review == (rule.status is Status.UNCONFIRMED)


@pytest.mark.parametrize("therapy", CATALOG.ids)
def test_answers_that_flag_nothing_mean_proceed(therapy: str) -> None:
    result = assess(therapy, 2, all_clear(therapy, 2), demo_center(), EN)
    assert result.outcome is Outcome.PROCEED
    assert result.reasons == []
    assert result.call_phone is None
    assert "nurse will still check" in result.message


def test_an_infection_means_call_the_center_before_coming_with_its_number() -> None:
    answers = all_clear("ocrelizumab-iv", 3) | {"infection": True}
    result = assess("ocrelizumab-iv", 3, answers, demo_center(), EN)
    assert result.outcome is Outcome.CALL_CENTER
    assert result.flagged == ["infection"]
    assert result.reasons == ["An infection can mean the infusion should wait until you are well."]
    assert result.call_phone == demo_center().phone
    assert "(413) 555-0142" in result.message


def test_a_touch_answer_for_natalizumab_means_do_not_come_and_contact_the_prescriber() -> None:
    answers = all_clear("natalizumab", 4) | {"immune-condition": True}
    result = assess("natalizumab", 4, answers, demo_center(), EN)
    assert result.outcome is Outcome.DO_NOT_COME
    assert "Contact your prescriber" in result.message
    assert "(413) 555-0142" in result.message


def test_new_symptoms_mean_do_not_come_for_natalizumab_but_call_first_for_ocrelizumab() -> None:
    center = demo_center()
    nat = assess("natalizumab", 4, all_clear("natalizumab", 4) | {"neuro-change": True}, center, EN)
    ocr = assess("ocrelizumab-iv", 4, all_clear("ocrelizumab-iv", 4) | {"neuro-change": True}, center, EN)
    assert nat.outcome is Outcome.DO_NOT_COME
    assert ocr.outcome is Outcome.CALL_CENTER


def test_the_worst_outcome_wins() -> None:
    answers = all_clear("natalizumab", 4) | {"infection": True, "immune-meds": True}
    result = assess("natalizumab", 4, answers, demo_center(), EN)
    assert result.outcome is Outcome.DO_NOT_COME
    assert len(result.reasons) == 2


def test_a_no_can_be_the_answer_that_needs_a_call() -> None:
    answers = all_clear("ocrelizumab-iv", 1) | {"vaccines-reviewed": False}
    result = assess("ocrelizumab-iv", 1, answers, demo_center(), EN)
    assert result.outcome is Outcome.CALL_CENTER
    assert result.flagged == ["vaccines-reviewed"]


def test_the_prescribers_number_is_given_when_the_patient_has_one() -> None:
    answers = all_clear("natalizumab", 4) | {"immune-condition": True}
    result = assess("natalizumab", 4, answers, demo_center(), EN, prescriber_phone="+16175550199")
    assert result.call_phone == "+16175550199"
    assert "(617) 555-0199" in result.message


def test_diabetes_adds_advice_without_stopping_the_visit() -> None:
    answers = all_clear("ocrelizumab-iv", 3) | {"diabetes": True}
    result = assess("ocrelizumab-iv", 3, answers, demo_center(), EN)
    assert result.outcome is Outcome.PROCEED
    assert result.advice == ["Bring your blood sugar meter and check your sugar more often for a day or two."]


def test_an_unanswered_check_has_no_outcome_yet_but_still_says_whom_to_call() -> None:
    result = assess("ocrelizumab-iv", 3, {"infection": False}, demo_center(), EN)
    assert result.outcome is None
    assert "infection" not in result.unanswered and "neuro-change" in result.unanswered
    assert result.call_phone == demo_center().phone
    assert "(413) 555-0142" in result.message


def test_a_flagged_answer_decides_even_before_every_question_is_answered() -> None:
    result = assess("ocrelizumab-iv", 3, {"infection": True}, demo_center(), EN)
    assert result.outcome is Outcome.CALL_CENTER


def test_an_answer_to_a_question_the_check_does_not_ask_is_an_error() -> None:
    with pytest.raises(ScreeningError, match="'immune-condition'"):
        assess("ocrelizumab-iv", 3, {"immune-condition": True}, demo_center(), EN)


def test_every_outcome_that_is_not_proceed_tells_the_patient_whom_to_call() -> None:
    center = demo_center()
    for therapy in CATALOG.ids:
        for question in questions_for(therapy, 2):
            answers = all_clear(therapy, 2) | {question.id: question.trigger}
            result = assess(therapy, 2, answers, center, EN)
            if result.outcome is not Outcome.PROCEED:
                assert result.call_phone and result.call_phone_text
                assert result.call_phone_text in result.message


def test_the_check_is_in_spanish_for_a_spanish_speaking_patient() -> None:
    answers = all_clear("ocrelizumab-iv", 3) | {"infection": True}
    result = assess("ocrelizumab-iv", 3, answers, demo_center(), translator("es"))
    assert result.message.startswith("Llame a Riverside Infusion Center al (413) 555-0142")
    assert result.questions[0].text.startswith("¿Tiene fiebre")


# --- clinical guards (issue 9) ----------------------------------------------------------------------------


def _asked(therapy: str, dose: int, question_id: str) -> str:
    result = assess(therapy, dose, {}, demo_center(), EN)
    return next(q.text for q in result.questions if q.id == question_id)


@pytest.mark.parametrize("therapy", NATALIZUMAB)
def test_the_natalizumab_medicine_question_counts_any_medicine_including_those_given_at_the_center(
    therapy: str,
) -> None:
    """TOUCH Step 2 meaning (natalizumab S6): any immune-weakening, cancer or MS medicine in the past month."""
    text = _asked(therapy, 5, "immune-meds")
    assert "at the infusion center too" in text and "Do not count" not in text and "started" not in text
    answers = all_clear(therapy, 5) | {"immune-meds": True}
    assert assess(therapy, 5, answers, demo_center(), EN).outcome is Outcome.DO_NOT_COME


def test_other_therapies_keep_the_general_medicine_question() -> None:
    assert "Do not count medicines given to you at the infusion center" in _asked("ocrelizumab-iv", 3, "immune-meds")


@pytest.mark.parametrize("therapy", NATALIZUMAB)
def test_the_natalizumab_immune_condition_question_asks_about_any_condition_not_only_new_ones(therapy: str) -> None:
    text = _asked(therapy, 5, "immune-condition")
    assert "new condition" not in text and "even if it is not new" in text


def test_alemtuzumab_asks_about_hiv_and_a_yes_means_call_first() -> None:
    answers = all_clear("alemtuzumab", 1) | {"hiv": True}
    result = assess("alemtuzumab", 1, answers, demo_center(), EN)
    assert result.outcome is Outcome.CALL_CENTER and "hiv" in result.needs_review


@pytest.mark.parametrize(("therapy", "question"), [("ublituximab", "pregnancy"), ("mitoxantrone", "pregnancy-test")])
def test_a_pregnancy_question_is_asked_where_a_label_calls_for_it(therapy: str, question: str) -> None:
    assert question in {q.id for q in questions_for(therapy, 2)}


def test_every_danger_answer_triages_to_call_or_do_not_come() -> None:
    """Only advice-only questions (diabetes: bring your meter) may keep 'proceed' when flagged."""
    for therapy in CATALOG:
        for dose in (1, 2, 13):
            for question in questions_for(therapy.id, dose):
                rule = question.rule(therapy.id)
                assert rule.outcome is not Outcome.PROCEED or question.advice, (therapy.id, question.id)

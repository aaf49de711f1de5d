"""Monitoring programmes from the data files become dated tasks and teaching (issue 9, therapy gaps).

Each value comes from a sourced fact in the therapy's data file (shared/labels ids); the tests name
the source they expect, so a changed source shows up here.
"""

from __future__ import annotations

import datetime

from msinfusion.plan import build_plan
from msinfusion.preparation import Stage, Task
from msinfusion.preparation.builders.therapy import therapy_follow_up, therapy_preparation
from msinfusion.therapies import apply_overrides, load_catalog
from tests.preparation.conftest import START, build_visit

CATALOG = load_catalog()


def tasks(therapy: str, number: int, locale: str = "en") -> dict[str, Task]:
    visit = build_visit(therapy, number, locale=locale)
    return {task.id: task for task in therapy_preparation(visit) + therapy_follow_up(visit)}


def fact_path(therapy_id: str, task_id: str, fact: str) -> str:
    index = next(i for i, task in enumerate(CATALOG.get(therapy_id).patient_tasks) if task.id == task_id)
    return f"patient_tasks[{index}].{fact}"


# --- TYSABRI and TYRUKO: the PML programme -------------------------------------------------------------


def test_tysabri_pml_checks_fall_3_and_6_months_after_the_first_infusion_then_every_6_months() -> None:
    # FDA REMS page [natalizumab:S18]: at 3 and 6 months after the first infusion and every 6 months after.
    assert tasks("natalizumab", 1)["pml-checks"].due == datetime.date(2027, 4, 4)
    assert tasks("natalizumab", 5)["pml-checks"].due == datetime.date(2027, 7, 4)  # visit on 2027-04-26
    assert tasks("natalizumab", 8)["pml-checks"].due == datetime.date(2028, 1, 4)  # visit on 2027-07-19
    check = tasks("natalizumab", 1)["pml-checks"]
    assert "3 months and 6 months after your first infusion, then every 6 months" in check.detail
    assert "natalizumab:S18" in check.sources and not check.needs_review
    assert check.stage is Stage.AFTER


def test_tyruko_pml_checks_follow_the_tysabri_programme_and_need_review() -> None:
    # The TYRUKO REMS exists [natalizumab:S10]; how it works is UNCONFIRMED in the labels file.
    check = tasks("natalizumab-sztn", 1)["pml-checks"]
    assert check.due == datetime.date(2027, 4, 4)
    assert check.needs_review and {"natalizumab:S18", "natalizumab:S10"} <= set(check.sources)


def test_jc_virus_retesting_every_6_months_is_dated_and_unconfirmed_for_both_brands() -> None:
    # Retest every 6 months: Singapore PI [natalizumab:S13]; the US interval is UNCONFIRMED.
    for therapy in ("natalizumab", "natalizumab-sztn"):
        retest = tasks(therapy, 2)["jcv-retest"]
        assert retest.due == datetime.date(2027, 7, 4)
        assert "If your last JC virus blood test was negative" in retest.detail and "every 6 months" in retest.detail
        assert "natalizumab:S13" in retest.sources and retest.needs_review


def test_the_first_natalizumab_dose_needs_a_jc_virus_test_for_both_brands() -> None:
    assert "natalizumab:S7" in tasks("natalizumab", 1)["first-dose-tests"].sources
    tyruko = tasks("natalizumab-sztn", 1)["first-dose-tests"]
    assert {"natalizumab:S7", "natalizumab:S10"} <= set(tyruko.sources)
    assert "first-dose-tests" not in tasks("natalizumab-sztn", 2)


def test_reauthorization_is_due_every_6_months_from_the_first_infusion() -> None:
    # FDA REMS page [natalizumab:S18]: every 6 months, to authorize continued treatment.
    renew = tasks("natalizumab", 1)["reauthorization"]
    assert renew.due == datetime.date(2027, 7, 4)
    assert renew.detail.startswith("Every 6 months, your doctor must renew your approval in the TOUCH program")
    # It also carries out the TOUCH checklist item, whose wording rests on an unconfirmed copy of the form (S6).
    assert "natalizumab:S18" in renew.sources and "natalizumab:S6" in renew.sources and renew.needs_review
    assert tasks("natalizumab-sztn", 1)["reauthorization"].needs_review


def test_follow_up_after_stopping_is_taught_with_its_period() -> None:
    # FDA REMS page [natalizumab:S18]: after treatment discontinuation, at 6 months.
    after = tasks("natalizumab", 3)["pml-after-stopping"]
    assert "a check for PML 6 months after you stop" in after.detail
    assert after.sources == ["natalizumab:S18", "natalizumab:S20"]


def test_pml_warning_signs_are_taught_after_every_infusion_in_english_and_spanish() -> None:
    # PML risk: boxed warnings [natalizumab:S3] (TYSABRI), [natalizumab:S2] (TYRUKO); "new or worsening
    # problems that have lasted several days" [natalizumab:S19]; the examples are UNCONFIRMED [natalizumab:S6].
    for number in (1, 13):
        signs = tasks("natalizumab", number)["pml-signs"]
        assert "does not go away after a few days" in signs.detail
        assert "(413) 555-0142" in signs.detail and signs.needs_review
        assert {"natalizumab:S3", "natalizumab:S19", "natalizumab:S6"} <= set(signs.sources)
    assert "natalizumab:S2" in tasks("natalizumab-sztn", 2)["pml-signs"].sources
    spanish = tasks("natalizumab", 2, "es")["pml-signs"]
    assert spanish.title == "Conozca las señales de alarma de la LMP"
    assert "no se quita después de unos días" in spanish.detail


def test_a_plan_dates_the_pml_checks_from_the_first_infusion_actually_given() -> None:
    plan = build_plan(
        CATALOG.get("natalizumab"),
        START,
        issued=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
        given=[datetime.date(2027, 1, 6)],
        until=datetime.date(2027, 4, 30),
    )
    assert plan.visits[0].preparation.task("pml-checks").due == datetime.date(2027, 4, 6)


# --- Alemtuzumab -----------------------------------------------------------------------------------------


def test_alemtuzumab_baseline_tests_are_asked_for_before_course_1_only() -> None:
    # Blood count, creatinine, urinalysis [alemtuzumab:S1]; urine protein/creatinine [alemtuzumab:S7];
    # thyroid [alemtuzumab:S12]; skin exam [alemtuzumab:S2]; liver tests [alemtuzumab:S12].
    baseline = tasks("alemtuzumab", 1)["first-dose-tests"]
    assert baseline.items == [
        "A blood count",
        "A blood test of your kidneys",
        "A urine test",
        "A blood test of your thyroid",
        "A blood test of your liver",
        "A skin exam",
    ]
    assert {"alemtuzumab:S1", "alemtuzumab:S2", "alemtuzumab:S7", "alemtuzumab:S12"} <= set(baseline.sources)
    assert "first-dose-tests" not in tasks("alemtuzumab", 2)
    assert "first-dose-tests" not in tasks("alemtuzumab", 6)  # day 1 of course 2


def test_alemtuzumab_monthly_blood_and_urine_tests_run_48_months_after_the_last_dose() -> None:
    # Boxed warning [alemtuzumab:S1]: monthly until 48 months after the last dose.
    monthly = tasks("alemtuzumab", 1)["monthly-tests"]
    assert monthly.due == datetime.date(2027, 2, 4)
    assert monthly.detail.startswith("Have a blood test and a urine test every month, until 48 months after")
    assert monthly.sources == ["alemtuzumab:S1"] and not monthly.needs_review


def test_alemtuzumab_thyroid_tests_are_every_3_months() -> None:
    # US Important Safety Information copy [alemtuzumab:S12], summary [alemtuzumab:S13]: SECONDARY.
    thyroid = tasks("alemtuzumab", 1)["thyroid-tests"]
    assert thyroid.due == datetime.date(2027, 4, 4)
    assert "thyroid every 3 months, until 48 months after your last infusion" in thyroid.detail
    assert {"alemtuzumab:S12", "alemtuzumab:S13"} <= set(thyroid.sources)


def test_alemtuzumab_skin_exam_is_yearly() -> None:
    # Highlights 5.4 [alemtuzumab:S2]: baseline and yearly skin exams.
    skin = tasks("alemtuzumab", 1)["skin-exam"]
    assert skin.due == datetime.date(2028, 1, 4)
    assert skin.detail.startswith("Have a skin exam every 12 months.")
    assert skin.sources == ["alemtuzumab:S2"]


def test_alemtuzumab_antiviral_runs_at_least_2_months_and_until_cd4_reaches_200() -> None:
    # [alemtuzumab:S12] (MFR text copy) and [alemtuzumab:S13]: 2 months or CD4+ >= 200, whichever is later.
    antiviral = tasks("alemtuzumab", 1)["antiviral"]
    assert "at least 2 months after the course" in antiviral.detail
    assert "CD4 count is at least 200, whichever comes later" in antiviral.detail
    assert antiviral.sources == ["alemtuzumab:S12", "alemtuzumab:S13"]


def test_alemtuzumab_patients_are_asked_to_check_themselves_for_new_symptoms() -> None:
    # "Ongoing symptom self-checks" [alemtuzumab:S6]; monitoring until 48 months [alemtuzumab:S4].
    checks = tasks("alemtuzumab", 2)["symptom-checks"]
    assert "for 48 months after your last infusion" in checks.detail
    assert checks.sources == ["alemtuzumab:S4", "alemtuzumab:S6"]


def test_a_center_override_moves_both_the_date_and_the_words_of_a_repeated_check() -> None:
    path = fact_path("alemtuzumab", "monthly-tests", "periods.interval")
    therapy = apply_overrides(CATALOG.get("alemtuzumab"), {path: "2 months"})
    visit = build_visit(therapy, 1, locale="es")
    [monthly] = [t for t in therapy_follow_up(visit) if t.id == "monthly-tests"]
    assert monthly.due == datetime.date(2027, 3, 4)
    assert "cada 2 meses" in monthly.detail

"""Visit timelines: phases in order, clinical minutes from the labels, policy minutes from the center."""

from __future__ import annotations

from datetime import date

import pytest

from msinfusion.regimens import dose_calendar
from msinfusion.therapies import load_catalog
from msinfusion.visits import (
    VisitPolicy,
    dose_visit,
    known_treatments,
    phases_for_treatment,
    plan_hours,
    treatment_name,
    visit_timeline,
)


def _visit(therapy_id: str, number: int = 1, **kwargs: object):  # type: ignore[no-untyped-def]
    return visit_timeline(load_catalog().get(therapy_id), number, **kwargs)  # type: ignore[arg-type]


def test_ocrelizumab_600_visit_matches_the_day_schedule_format_example() -> None:
    """The format document's example appointment is exactly an ocrelizumab 600 mg visit."""
    visit = _visit("ocrelizumab-iv", 3)
    assert [(p.name, p.minutes, p.nurse_minutes) for p in visit.phases] == [
        ("check-in", 15, 15),
        ("premedication", 30, 10),
        ("infusion", 210, 10),
        ("observation", 60, 0),
        ("discharge", 10, 10),
    ]
    assert visit.chair_minutes == 325
    assert visit.plan_text == "about 5 and a half hours"


def test_phases_start_one_after_the_other() -> None:
    visit = _visit("ublituximab", 1)
    clock = 0
    for phase in visit.phases:
        assert phase.starts_after == clock
        clock += phase.minutes
    assert clock == visit.chair_minutes


def test_natalizumab_has_no_premedication_and_observation_only_for_the_first_12() -> None:
    """'Observe patients during the infusion and for 1 hour after the infusion is complete for the first 12
    infusions' (natalizumab S5); 'No premedication is required' (S5)."""
    first = _visit("natalizumab", 12)
    later = _visit("natalizumab", 13)
    assert first.phase_minutes("premedication") == 0
    assert first.phase_minutes("observation") == 60
    assert later.phase_minutes("observation") == 0
    assert "clinical judgment" in (later.phases[-2].note or "")


def test_ocrelizumab_sc_observes_an_hour_after_the_first_injection_and_15_minutes_after_later_ones() -> None:
    """'for at least one hour after the initial injection, and for at least 15 minutes after subsequent
    injections' (ocrelizumab S14)."""
    assert _visit("ocrelizumab-sc", 1).phase_minutes("observation") == 60
    assert _visit("ocrelizumab-sc", 2).phase_minutes("observation") == 15
    assert _visit("ocrelizumab-sc", 1).phases[2].title == "Injection"


def test_alemtuzumab_steroid_premedication_only_on_course_days_1_to_3() -> None:
    """'pre-treated with corticosteroids immediately prior to LEMTRADA administration on each of the first
    3 days of any treatment course' (alemtuzumab S8); 'at least 2 hours after each infusion' (S2)."""
    therapy = load_catalog().get("alemtuzumab")
    calendar = dose_calendar(therapy, date(2027, 1, 4))
    visits = [dose_visit(therapy, d) for d in calendar.doses]
    assert [v.phase_minutes("premedication") for v in visits] == [30, 30, 30, 0, 0, 30, 30, 30]
    assert {v.phase_minutes("observation") for v in visits} == {120}
    assert visits[0].chair_minutes == 15 + 30 + 240 + 120 + 10


def test_unconfirmed_observation_is_flagged_for_review() -> None:
    visit = _visit("natalizumab-sztn", 1)
    assert "observation time" in visit.needs_review
    assert _visit("natalizumab", 1).needs_review == []


def test_center_policy_changes_check_in_and_nurse_minutes_but_not_clinical_minutes() -> None:
    policy = VisitPolicy(check_in_minutes=20, check_in_nurse_minutes=20, discharge_minutes=5)
    visit = _visit("ocrelizumab-iv", 3, policy=policy)
    assert visit.phase_minutes("check-in") == 20
    assert visit.phase_minutes("infusion") == 210
    assert visit.chair_minutes == 325 + 5 - 5


def test_rituximab_visit_needs_the_dose_for_its_mg_per_hour_rate() -> None:
    assert _visit("rituximab", 1).phase_minutes("infusion") == 255
    assert _visit("rituximab", 1, dose_mg=500).phase_minutes("infusion") < 255


@pytest.mark.parametrize(("minutes", "hours"), [(55, 1.0), (60, 1.0), (61, 1.5), (325, 5.5), (415, 7.0)])
def test_plan_hours_round_up_to_the_half_hour(minutes: int, hours: float) -> None:
    assert plan_hours(minutes) == hours


def test_every_treatment_code_has_phases_the_scheduler_can_use() -> None:
    codes = known_treatments()
    assert {
        "ocrelizumab-300",
        "ocrelizumab-600",
        "ocrelizumab-600-short",
        "natalizumab-300",
        "ublituximab-150",
        "alemtuzumab-12",
        "methylprednisolone-1000",
    } <= set(codes)
    for code in codes:
        phases = phases_for_treatment(code)
        assert phases[0].name == "check-in" and phases[-1].name == "discharge"
        assert all(p.minutes > 0 and 0 <= p.nurse_minutes <= p.minutes for p in phases)


def test_unknown_treatment_code_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        phases_for_treatment("interferon-30")


def test_a_center_version_of_the_therapy_changes_the_treatment_phases() -> None:
    from msinfusion.therapies import apply_overrides

    local = apply_overrides(load_catalog().get("natalizumab"), {"observation[1].minutes": 30})
    phases = phases_for_treatment("natalizumab-300", therapy=local)
    assert [p.minutes for p in phases if p.name == "observation"] == [30]
    assert "observation" not in [p.name for p in phases_for_treatment("natalizumab-300")]
    with pytest.raises(ValueError, match="belongs to ocrelizumab-iv, not natalizumab"):
        phases_for_treatment("ocrelizumab-600", therapy=local)


def test_a_treatment_code_is_named_by_its_therapy_and_dose_for_staff() -> None:
    assert treatment_name("ocrelizumab-600") == "Ocrelizumab IV 600 mg"
    assert treatment_name("ocrelizumab-600-short") == "Ocrelizumab IV 600 mg, short infusion"
    assert treatment_name("mitoxantrone-12") == "Mitoxantrone 12 mg/m2"
    assert treatment_name("no-such-code") == "no-such-code"

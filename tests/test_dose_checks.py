"""The checks required before each dose come from the data, and a missing one blocks the dose."""

from __future__ import annotations

import pytest

from msinfusion.dose_checks import UnknownCheck, missing_checks, required_checks
from msinfusion.therapies import load_catalog


def _ids(therapy: str, dose: int = 1) -> list[str]:
    return [c.id for c in required_checks(load_catalog().get(therapy), dose)]


def test_mitoxantrone_needs_lvef_neutrophils_and_blood_liver_pregnancy_tests_before_each_dose() -> None:
    assert _ids("mitoxantrone", 4) == ["lvef", "neutrophils", "blood-liver-pregnancy"]


def test_the_lvef_check_carries_both_the_per_dose_rule_and_the_threshold_with_their_sources() -> None:
    lvef = required_checks(load_catalog().get("mitoxantrone"), 1)[0]
    assert len(lvef.rules) == 2 and "50%" in lvef.rules[1]
    assert set(lvef.sources) == {"S3", "S8", "S7", "S9"}
    assert lvef.needs_review  # the threshold is unconfirmed at exactly 50%


@pytest.mark.parametrize(
    ("therapy", "checks"),
    [
        ("natalizumab", ["touch-authorization"]),
        ("natalizumab-sztn", ["rems-authorization"]),
        ("ocrelizumab-iv", ["infection"]),
        ("ublituximab", ["infection", "pregnancy-test"]),
        ("alemtuzumab", []),
    ],
)
def test_each_therapy_lists_its_checks_before_each_dose(therapy: str, checks: list[str]) -> None:
    assert _ids(therapy) == checks


def test_a_dose_without_its_recorded_lvef_is_blocked() -> None:
    therapy = load_catalog().get("mitoxantrone")
    state = missing_checks(therapy, 2, {"neutrophils", "blood-liver-pregnancy"})
    assert state.blocked and [c.id for c in state.missing] == ["lvef"]
    assert not missing_checks(therapy, 2, {"lvef", "neutrophils", "blood-liver-pregnancy"}).blocked


def test_natalizumab_without_a_recorded_touch_authorization_is_blocked() -> None:
    state = missing_checks(load_catalog().get("natalizumab"), 13, set())
    assert state.blocked and state.missing[0].id == "touch-authorization"


def test_a_recorded_check_the_therapy_does_not_need_is_refused() -> None:
    with pytest.raises(UnknownCheck, match="lvf"):
        missing_checks(load_catalog().get("mitoxantrone"), 1, {"lvf"})

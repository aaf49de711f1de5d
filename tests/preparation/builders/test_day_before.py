"""The day before: pack, what the center has, the pre-infusion check."""

from __future__ import annotations

from msinfusion.center import demo_center
from msinfusion.preparation.builders.day_before import center_provides, check, pack
from tests.preparation.conftest import MakeVisit


def test_pack_says_how_long_the_visit_takes_and_adds_the_checks_advice(make_visit: MakeVisit) -> None:
    [task] = pack(make_visit("ocrelizumab-iv", 1, extra_advice=("Bring your TOUCH card",)))
    assert task.detail.startswith("Your visit can take about")
    assert task.items[-1] == "Bring your TOUCH card"


def test_center_provides_lists_amenities_or_says_to_call(make_visit: MakeVisit) -> None:
    [listed] = center_provides(make_visit("natalizumab", 2))
    assert "water" in listed.items
    bare = demo_center().model_copy(update={"amenities": []})
    [ask] = center_provides(make_visit("natalizumab", 2, center=bare))
    assert ask.items == [] and "ask what they have" in ask.detail


def test_check_asks_for_the_pre_infusion_check_the_day_before(make_visit: MakeVisit) -> None:
    visit = make_visit("natalizumab", 2)
    [task] = check(visit)
    assert task.id == "check" and (visit.day - task.due).days == 1

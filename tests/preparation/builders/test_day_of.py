"""On the day: caffeine and smoking, clothing, arrival and finish."""

from __future__ import annotations

import datetime

from msinfusion.center import DayRule, demo_center
from msinfusion.preparation.builders.day_of import arrive, caffeine_and_smoking, clothing, finish
from tests.preparation.conftest import MakeVisit


def test_caffeine_and_smoking_falls_back_from_wording_to_hours_to_a_question(make_visit: MakeVisit) -> None:
    center = demo_center().model_copy(update={"caffeine": DayRule(hours_before=4), "smoking": None})
    [task] = caffeine_and_smoking(make_visit("natalizumab", 2, center=center))
    assert "in the 4 hours before" in task.detail
    assert task.items == ["Ask your care team if you should not smoke before your visit."]


def test_clothing_is_for_the_day_of_the_visit(make_visit: MakeVisit) -> None:
    visit = make_visit("natalizumab", 2)
    [task] = clothing(visit)
    assert task.due == visit.day and "Comfortable shoes" in task.items


def test_arrive_lists_each_phase_and_says_a_default_time_is_a_placeholder(make_visit: MakeVisit) -> None:
    visit = make_visit("ocrelizumab-iv", 1)
    [task] = arrive(visit)
    assert len(task.items) == len(visit.times.phases)
    assert "placeholder" in task.detail
    booked = make_visit("ocrelizumab-iv", 1, booked=datetime.datetime(2027, 1, 4, 9, 0))  # noqa: DTZ001 - a booked time is the center's wall clock
    assert "placeholder" not in arrive(booked)[0].detail


def test_finish_gives_the_end_time_from_the_timeline(make_visit: MakeVisit) -> None:
    visit = make_visit("natalizumab", 2, booked=datetime.datetime(2027, 2, 1, 9, 0))  # noqa: DTZ001 - a booked time is the center's wall clock
    [task] = finish(visit)
    assert visit.t.time(visit.times.finish) in task.detail

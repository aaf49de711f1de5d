from __future__ import annotations

from msinfusion.scheduling import Chair
from msinfusion.scheduling.instance import Instance
from tests.scheduling.conftest import nurse, small_day, visit


def test_time_grid_is_the_common_divisor_of_every_time() -> None:
    assert Instance(small_day([visit("A1", minutes=60, nurse_minutes=15)])).unit == 15
    assert Instance(small_day([visit("A1", minutes=62, nurse_minutes=15)])).unit == 1


def test_identical_chairs_form_one_group_and_a_fixed_chair_its_own() -> None:
    chairs = [Chair(id="C1"), Chair(id="C2"), Chair(id="C3"), Chair(id="B1", features=["bed"])]
    instance = Instance(small_day([visit("A1", fixed={"chair": "C2"})], chairs=chairs))
    assert sorted(group.chairs for group in instance.chair_groups) == [("B1",), ("C1", "C3"), ("C2",)]


def test_nurses_with_the_same_shift_form_one_group() -> None:
    nurses = [nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00"), nurse("N3", "09:00", "12:00")]
    instance = Instance(small_day([visit("A1")], nurses=nurses))
    assert sorted(group.nurses for group in instance.nurse_groups) == [("N1", "N2"), ("N3",)]

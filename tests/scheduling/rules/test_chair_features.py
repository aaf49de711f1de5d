from __future__ import annotations

from msinfusion.scheduling import Chair
from msinfusion.scheduling.rules import chair_features
from tests.scheduling.conftest import small_day, visit
from tests.scheduling.rules.helpers import feasible_with_only


def test_visit_needing_a_bed_fits_where_there_is_a_bed() -> None:
    day = small_day([visit("A1", requires=["bed"])], chairs=[Chair(id="C1"), Chair(id="B1", features=["bed"])])
    assert feasible_with_only(chair_features.apply, day)


def test_visit_needing_a_bed_does_not_fit_a_center_without_one() -> None:
    day = small_day([visit("A1", requires=["bed"])], chairs=[Chair(id="C1"), Chair(id="C2")])
    assert not feasible_with_only(chair_features.apply, day)

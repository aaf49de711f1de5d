"""After the visit: getting home and late reactions."""

from __future__ import annotations

from msinfusion.preparation import SEED
from msinfusion.preparation.builders.after import reactions, ride_home
from tests.preparation.conftest import MakeVisit


def test_ride_home_says_not_to_drive_when_a_driver_is_needed(make_visit: MakeVisit) -> None:
    assert ride_home(make_visit("ocrelizumab-iv", 1))[0].detail == "Have someone drive you home. Do not drive yourself."
    assert "only if your care team said it is safe" in ride_home(make_visit("natalizumab", 2))[0].detail


def test_reactions_take_their_hours_from_the_data_file_or_fall_back_to_the_seed(make_visit: MakeVisit) -> None:
    [late] = reactions(make_visit("alemtuzumab", 1))
    assert "up to 48 hours" in late.detail and late.sources == ["alemtuzumab:S4"]
    [plain] = reactions(make_visit("natalizumab", 2))
    assert plain.sources == [SEED] and "later the same day" in plain.detail

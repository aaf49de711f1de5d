"""Infusion minutes from rate steps reproduce the label durations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msinfusion.therapies import Ramp, RateStep, load_catalog
from msinfusion.titration import TitrationError, infusion_minutes, minutes_to_deliver, ramp_steps


def _minutes(therapy_id: str, profile: str, dose_mg: float = 0) -> int:
    therapy = load_catalog().get(therapy_id)
    return infusion_minutes(therapy.infusions[profile], dose_mg)


def test_ocrelizumab_300_mg_in_250_ml_takes_at_least_two_and_a_half_hours() -> None:
    """'Start at 30 mL/hr and increase by 30 mL/hr every 30 minutes to a maximum of 180 mL/hr;
    duration of 2.5 hours or longer' (ocrelizumab S6)."""
    minutes = _minutes("ocrelizumab-iv", "initial")
    assert minutes >= 150
    assert minutes == 159  # 225 mL in 2.5 h at the ramp, the last 25 mL at 180 mL/h


def test_ocrelizumab_600_mg_in_500_ml_takes_three_and_a_half_hours() -> None:
    """'Start at 40 mL/hr and increase by 40 mL/hr every 30 minutes to a maximum of 200 mL/hr;
    duration of 3.5 hours or longer' (ocrelizumab S6)."""
    assert _minutes("ocrelizumab-iv", "standard") == 210


def test_ocrelizumab_shorter_option_takes_two_hours() -> None:
    """100 mL/h for 15 min, 200 for 15, 250 for 30, then 300 for 60 (ocrelizumab S20, S22)."""
    assert _minutes("ocrelizumab-iv", "short") == 120


def test_ublituximab_150_mg_takes_about_four_hours() -> None:
    """'10 mL per hour for the initial 30 minutes ... 20 ... 35 mL per hour for the next hour ...
    100 mL per hour for the remaining 2 hours' (ublituximab S4)."""
    assert _minutes("ublituximab", "first") == 240


def test_ublituximab_450_mg_takes_about_one_hour() -> None:
    """'100 mL per hour for the first 30 minutes ... 400 mL per hour for the remaining 30 minutes' (S4)."""
    assert _minutes("ublituximab", "later") == 60


def test_rituximab_duration_follows_the_dose_in_mg_per_hour() -> None:
    """First infusion: 50 mg/h, +50 mg/h every 30 minutes to 400 mg/h (rituximab S1)."""
    # 1000 mg: 25+50+75+100+125+150+175 = 700 mg in 3.5 h, then 300 mg at 400 mg/h = 45 min
    assert _minutes("rituximab", "first", 1000) == 255
    assert _minutes("rituximab", "first", 500) < 255
    # subsequent: 50+100+150 = 300 mg in 1.5 h, then 700 mg at 400 mg/h = 105 min
    assert _minutes("rituximab", "subsequent", 1000) == 195


def test_fixed_duration_profiles_use_their_label_minutes() -> None:
    assert _minutes("natalizumab", "standard") == 60
    assert _minutes("alemtuzumab", "daily") == 240
    assert _minutes("ocrelizumab-sc", "injection") == 10


def test_ramp_ends_with_an_open_step_at_the_maximum() -> None:
    steps = list(ramp_steps(Ramp(start=40, increment=40, every_minutes=30, maximum=200)))
    assert [s.rate for s in steps] == [40, 80, 120, 160, 200]
    assert steps[-1].minutes is None


def test_closed_schedule_that_cannot_deliver_the_amount_is_an_error() -> None:
    with pytest.raises(TitrationError):
        minutes_to_deliver(500, [RateStep(rate=100, minutes=60)])


@given(
    amount=st.floats(min_value=1, max_value=2000),
    start=st.floats(min_value=5, max_value=200),
    increment=st.floats(min_value=0, max_value=100),
    maximum=st.floats(min_value=200, max_value=500),
)
def test_more_volume_never_takes_less_time(amount: float, start: float, increment: float, maximum: float) -> None:
    ramp = Ramp(start=start, increment=increment, every_minutes=30, maximum=maximum)
    shorter = minutes_to_deliver(amount, ramp_steps(ramp))
    longer = minutes_to_deliver(amount * 1.5, ramp_steps(ramp))
    assert longer >= shorter
    assert shorter <= amount / start * 60 + 1e-6  # never slower than staying at the start rate

"""`msinfusion demo` prints a patient's plan and an optimized center day."""

from __future__ import annotations

import pytest

from msinfusion.cli import main


def test_demo_prints_a_plan_and_a_scheduled_day(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "--appointments", "10", "--chairs", "4", "--nurses", "2", "--time-limit", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "My next visit" in out and "Plan for about 5 hours" in out
    assert "A center day (demo): 4 chairs, 2 nurses, 10 appointments" in out
    assert "of 10 scheduled" in out

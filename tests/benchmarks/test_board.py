"""The board benchmark runs end to end through the real routes (figures only, no timing asserts)."""

from __future__ import annotations

import pytest
from benchmarks.board import main, run


@pytest.mark.slow
def test_a_tiny_run_times_add_ons_and_repairs_that_each_get_a_proposal(capsys: pytest.CaptureFixture[str]) -> None:
    timings = run(events=2, seed=1)
    assert [t.kind for t in timings] == ["add-on", "repair"]
    assert all(len(t.seconds) == 2 and t.proposed == 2 for t in timings)
    main(["--events", "1"])
    assert "p95" in capsys.readouterr().out

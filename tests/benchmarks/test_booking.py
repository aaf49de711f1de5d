"""The booking benchmark runs end to end on a tiny center (figures only, no timing asserts)."""

from __future__ import annotations

import pytest
from benchmarks.booking import main
from benchmarks.booking.instance import make_request


def test_the_generated_request_has_the_therapy_mix_and_promised_visits() -> None:
    request = make_request(patients=30, seed=3, months=2)
    assert len(request.patients) == 30
    assert {p.therapy for p in request.patients} <= {
        "natalizumab",
        "ocrelizumab-iv",
        "ublituximab",
        "alemtuzumab",
        "methylprednisolone",
        "ocrelizumab-sc",
        "rituximab",
    }
    assert request.existing
    assert any(p.preferences is not None for p in request.patients)


def test_a_tiny_run_prints_the_table_and_the_rebookings(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--patients", "30", "--months", "2", "--seed", "3", "--time-limit", "3"])
    out = capsys.readouterr().out
    assert "valid (solver-free validator)      True      True" in out
    assert "gap to the lower bound" in out
    assert "one new patient's regimen added to the booked year" in out and "valid True" in out
    assert "rebooking after a late dose" in out

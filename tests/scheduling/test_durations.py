"""Durations learned from recorded visit times, and a day planned on the label, the median or the p80."""

from __future__ import annotations

import pytest

from msinfusion.scheduling import Phase
from msinfusion.scheduling.day import Appointment
from msinfusion.scheduling.durations import VisitTimes, learn_durations, plan_durations, segment_of
from tests.scheduling.conftest import small_day


def record(infusion: int, before: int = 45, after: int = 70, step: str | None = "3-") -> VisitTimes:
    check_in = 480
    return VisitTimes(
        treatment="ocrelizumab-600",
        dose_step=step,
        check_in=check_in,
        infusion_start=check_in + before,
        infusion_end=check_in + before + infusion,
        discharge=check_in + before + infusion + after,
    )


def ocrelizumab() -> Appointment:
    phases = [
        Phase(name="check-in", minutes=15, nurse_minutes=15),
        Phase(name="premedication", minutes=30, nurse_minutes=10),
        Phase(name="infusion", minutes=210, nurse_minutes=10),
        Phase(name="observation", minutes=60, nurse_minutes=0),
        Phase(name="discharge", minutes=10, nurse_minutes=10),
    ]
    return Appointment(id="A1", patient="P1", treatment="ocrelizumab-600", phases=phases)


def test_the_median_and_80th_percentile_come_with_the_count_behind_them() -> None:
    learned = learn_durations([record(m) for m in (200, 210, 220, 230, 240)])
    infusion = learned[("ocrelizumab-600", "3-")].segments["infusion"]
    assert (infusion.count, infusion.median, infusion.p80) == (5, 220.0, 232.0)
    assert learned[("ocrelizumab-600", "3-")].segments["chair"].median == 45 + 220 + 70


def test_every_dose_step_is_also_pooled_per_treatment() -> None:
    learned = learn_durations([record(200, step="1-2"), record(240, step="3-")])
    assert learned[("ocrelizumab-600", None)].segments["infusion"].count == 2
    assert learned[("ocrelizumab-600", "1-2")].segments["infusion"].samples == (200,)


def test_a_visit_with_a_missing_time_counts_only_for_the_segments_it_has() -> None:
    partial = VisitTimes(treatment="t", check_in=480, infusion_start=520, infusion_end=None, discharge=600)
    learned = learn_durations([partial])[("t", None)]
    assert set(learned.segments) == {"before", "chair"}


def test_a_visit_with_times_out_of_order_is_left_out() -> None:
    backward = VisitTimes(treatment="t", check_in=480, infusion_start=520, discharge=500)
    assert learn_durations([backward]) == {}


def test_a_phase_belongs_to_the_segment_before_at_or_after_the_infusion() -> None:
    assert segment_of(ocrelizumab().resolved_phases) == ["before", "before", "infusion", "after", "after"]


@pytest.mark.parametrize(("basis", "infusion"), [("label", 210), ("median", 220), ("p80", 235)])
def test_the_day_builder_plans_the_infusion_on_the_chosen_basis(basis: str, infusion: int) -> None:
    learned = learn_durations([record(m) for m in (200, 210, 220, 230, 240)])
    day = plan_durations(small_day([ocrelizumab()]), learned, basis)  # type: ignore[arg-type]
    phases = day.appointments[0].resolved_phases
    assert phases[2].minutes == infusion  # p80 232 rounds up to the 5-minute slot


def test_observed_segments_are_shared_over_their_phases_in_whole_slots() -> None:
    learned = learn_durations([record(210, before=60, after=50) for _ in range(5)])
    phases = plan_durations(small_day([ocrelizumab()]), learned, "median").appointments[0].resolved_phases
    assert [p.minutes for p in phases] == [20, 40, 210, 60, 10]
    assert all(p.minutes % 5 == 0 and p.nurse_minutes <= p.minutes for p in phases)


def test_a_segment_recorded_shorter_than_the_label_keeps_the_label_minutes() -> None:
    learned = learn_durations([record(150, before=20, after=30) for _ in range(5)])
    for basis in ("median", "p80"):
        phases = plan_durations(small_day([ocrelizumab()]), learned, basis).appointments[0].resolved_phases
        assert [p.minutes for p in phases] == [15, 30, 210, 60, 10]


def test_too_few_recorded_visits_keep_the_label_minutes() -> None:
    learned = learn_durations([record(300) for _ in range(4)])
    phases = plan_durations(small_day([ocrelizumab()]), learned, "p80").appointments[0].resolved_phases
    assert phases[2].minutes == 210
    assert (
        plan_durations(small_day([ocrelizumab()]), learned, "p80", min_count=4)
        .appointments[0]
        .resolved_phases[2]
        .minutes
        == 300
    )

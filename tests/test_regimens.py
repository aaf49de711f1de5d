"""Dose calendars reproduce the label schedules; properties hold for any start and given doses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msinfusion.periods import add_period
from msinfusion.regimens import RegimenError, dose_calendar
from msinfusion.therapies import Period, load_catalog

START = date(2027, 1, 4)


def _cal(therapy_id: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return dose_calendar(load_catalog().get(therapy_id), kwargs.pop("start", START), **kwargs)  # type: ignore[arg-type]


def _dates(calendar) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.date.isoformat() for d in calendar.doses]


def test_ocrelizumab_starts_with_two_300_mg_infusions_two_weeks_apart_then_600_every_6_months() -> None:
    """'Start dose: 300 mg intravenous infusion, followed two weeks later by a second 300 mg intravenous
    infusion' and 'Subsequent doses: 600 mg intravenous infusion every 6 months' (ocrelizumab S2);
    'Administer the first subsequent dose 6 months after infusion 1 of the initial dose.' (S4, S5)."""
    calendar = _cal("ocrelizumab-iv", until=date(2028, 7, 31))
    assert _dates(calendar) == ["2027-01-04", "2027-01-18", "2027-07-04", "2028-01-04", "2028-07-04"]
    assert [d.dose_mg for d in calendar.doses] == [300, 300, 600, 600, 600]
    assert [d.treatment for d in calendar.doses][:3] == ["ocrelizumab-300", "ocrelizumab-300", "ocrelizumab-600"]


def test_ocrelizumab_missed_dose_resets_next_dose_to_six_months_after_the_late_one() -> None:
    """'Reset the dose schedule to administer the sequential dose 6 months after the missed dose is
    administered.' (ocrelizumab S5)."""
    given_dates = [START, date(2027, 1, 18), date(2027, 9, 1)]  # dose 3 was due 2027-07-04
    calendar = _cal("ocrelizumab-iv", given=given_dates, until=date(2028, 12, 31))
    assert calendar.doses[2].status == "given"
    assert any("late" in note for note in calendar.doses[2].notes)
    assert calendar.doses[3].date == date(2028, 3, 1)
    assert calendar.doses[4].date == date(2028, 9, 1)


def test_ocrelizumab_overdue_dose_is_planned_as_soon_as_possible() -> None:
    """'administer OCREVUS as soon as possible; do not wait until the next scheduled dose' (S5)."""
    calendar = _cal("ocrelizumab-iv", given=[START, date(2027, 1, 18)], as_of=date(2027, 8, 20))
    third = calendar.doses[2]
    assert third.status == "planned" and third.date == date(2027, 8, 20)
    assert "as soon as possible" in " ".join(third.notes)
    assert calendar.doses[3].date == date(2028, 2, 20)


def test_ocrelizumab_requested_date_inside_the_minimum_interval_gets_a_warning() -> None:
    """Minimum interval 5 months (UNCONFIRMED: 5 months vs 20 weeks; ocrelizumab S5, S6, S13)."""
    calendar = _cal("ocrelizumab-iv", requested={3: date(2027, 5, 1)})
    assert calendar.doses[2].date == date(2027, 5, 1)
    assert any("minimum interval" in w for w in calendar.warnings)


def test_ocrelizumab_booking_window_never_opens_inside_the_minimum_interval() -> None:
    calendar = _cal("ocrelizumab-iv")
    third = calendar.doses[2]
    assert third.window.start >= add_period(calendar.doses[1].date, Period(amount=5, unit="months"))
    assert third.window.start <= third.date <= third.window.end


def test_ocrelizumab_shorter_infusion_option_applies_only_from_dose_3() -> None:
    calendar = _cal("ocrelizumab-iv", option="short")
    assert [d.infusion for d in calendar.doses[:3]] == ["initial", "initial", "short"]
    assert calendar.doses[2].treatment == "ocrelizumab-600-short"


# --- ocrelizumab SC ----------------------------------------------------------------------------------------


def test_ocrelizumab_sc_is_920_mg_every_6_months() -> None:
    """'Administer 23 mL of OCREVUS ZUNOVO (920 mg ocrelizumab ...) ... every 6 months' (ocrelizumab S14)."""
    calendar = _cal("ocrelizumab-sc", until=date(2028, 1, 31))
    assert _dates(calendar) == ["2027-01-04", "2027-07-04", "2028-01-04"]
    assert {d.dose_mg for d in calendar.doses} == {920}


# --- natalizumab ------------------------------------------------------------------------------------------


def test_natalizumab_is_300_mg_every_four_weeks() -> None:
    """'The recommended dose of TYSABRI for multiple sclerosis is 300 mg intravenous infusion over one hour
    every four weeks.' (natalizumab S4)."""
    calendar = _cal("natalizumab", until=date(2027, 12, 31))
    gaps = {(b.date - a.date).days for a, b in zip(calendar.doses, calendar.doses[1:], strict=False)}
    assert gaps == {28}
    assert len(calendar.doses) == 13
    assert calendar.doses[11].treatment == "natalizumab-300-initial"
    assert calendar.doses[12].treatment == "natalizumab-300"


def test_natalizumab_counts_from_the_dose_actually_given() -> None:
    calendar = _cal("natalizumab", given=[START, date(2027, 2, 5)], until=date(2027, 4, 30))
    assert calendar.doses[2].date == date(2027, 3, 5)


# --- ublituximab ------------------------------------------------------------------------------------------


def test_ublituximab_is_150_then_450_on_day_15_then_450_every_24_weeks_from_day_1() -> None:
    """'Subsequent Infusions (24 weeks after the first infusion): 450 mg IV every 24 weeks' (ublituximab S3);
    the first 24-week dose is counted from infusion 1 (S5)."""
    calendar = _cal("ublituximab", until=date(2028, 1, 1))
    assert _dates(calendar) == ["2027-01-04", "2027-01-18", "2027-06-21", "2027-12-06"]
    assert [d.dose_mg for d in calendar.doses] == [150, 450, 450, 450]


def test_ublituximab_late_maintenance_dose_moves_the_next_one() -> None:
    """'For a missed maintenance infusion, administer promptly and reset the next infusion to 24 weeks
    later' (ublituximab S11)."""
    late = date(2027, 8, 1)
    calendar = _cal("ublituximab", given=[START, date(2027, 1, 18), late], until=date(2028, 6, 1))
    assert calendar.doses[3].date == late + timedelta(weeks=24)


# --- alemtuzumab ------------------------------------------------------------------------------------------


def test_alemtuzumab_is_five_consecutive_days_then_three_consecutive_days_12_months_later() -> None:
    """'12 mg intravenous infusion once daily for 5 days at month 0 and then once daily for 3 days at
    month 12' (alemtuzumab S5)."""
    calendar = _cal("alemtuzumab")
    assert _dates(calendar) == [
        "2027-01-04",
        "2027-01-05",
        "2027-01-06",
        "2027-01-07",
        "2027-01-08",
        "2028-01-04",
        "2028-01-05",
        "2028-01-06",
    ]
    assert [(d.course, d.course_day) for d in calendar.doses][4:6] == [(1, 5), (2, 1)]
    assert any("only if needed" in w for w in calendar.warnings)


def test_alemtuzumab_missed_day_moves_the_rest_of_the_course_never_two_doses_in_a_day() -> None:
    """'Missed doses should not be given on the same day as a scheduled dose.' (alemtuzumab S8, EU)."""
    calendar = _cal("alemtuzumab", given=[START, date(2027, 1, 5), date(2027, 1, 8)])
    days = [d.date for d in calendar.doses[:5]]
    assert days == [START, date(2027, 1, 5), date(2027, 1, 8), date(2027, 1, 9), date(2027, 1, 10)]
    assert len(set(days)) == 5


def test_alemtuzumab_refuses_a_course_length() -> None:
    with pytest.raises(RegimenError, match="fixed lengths"):
        _cal("alemtuzumab", course_days=4)


# --- methylprednisolone ----------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [3, 4, 5])
def test_methylprednisolone_course_length_is_chosen_by_the_prescriber(days: int) -> None:
    """'High-dose intravenous methylprednisolone (500-1000 mg daily for 3-5 days)' (practice, S5)."""
    calendar = _cal("methylprednisolone", course_days=days)
    assert len(calendar.doses) == days
    assert [d.date for d in calendar.doses] == [START + timedelta(days=i) for i in range(days)]


def test_methylprednisolone_course_length_outside_3_to_5_days_is_refused() -> None:
    with pytest.raises(RegimenError, match="3 to 5"):
        _cal("methylprednisolone", course_days=7)


def test_methylprednisolone_daily_amount_can_be_chosen_because_it_is_practice() -> None:
    calendar = _cal("methylprednisolone", amount=500)
    assert {d.dose_mg for d in calendar.doses} == {500}


def test_label_amounts_cannot_be_overridden() -> None:
    with pytest.raises(RegimenError, match="cannot be changed"):
        _cal("ocrelizumab-iv", amount=450)


# --- mitoxantrone -----------------------------------------------------------------------------------------


def test_mitoxantrone_dose_is_12_mg_per_m2_every_3_months() -> None:
    """'12 mg/m2 given as a short (approximately 5 to 15 minute) IV infusion every 3 months' (S3)."""
    calendar = _cal("mitoxantrone", bsa=1.8, until=date(2027, 12, 31))
    assert _dates(calendar) == ["2027-01-04", "2027-04-04", "2027-07-04", "2027-10-04"]
    assert calendar.doses[0].dose_mg == pytest.approx(21.6)


def test_mitoxantrone_needs_body_surface_area() -> None:
    with pytest.raises(RegimenError, match="--bsa"):
        _cal("mitoxantrone")


def test_mitoxantrone_stops_before_the_us_lifetime_cap() -> None:
    """'do not exceed cumulative lifetime dose of 140 mg/m2' (mitoxantrone S4)."""
    calendar = _cal("mitoxantrone", bsa=1.7, until=date(2035, 1, 1))
    assert len(calendar.doses) == 11  # 11 x 12 = 132; a 12th would make 144
    assert calendar.cumulative_per_m2 == pytest.approx(132)
    assert any("lifetime cap of 140" in w for w in calendar.warnings)


def test_mitoxantrone_eu_cap_is_72_and_counts_prior_doses() -> None:
    """'The maximum lifetime cumulative dose should not exceed 72 mg/m².' (mitoxantrone S6, EU)."""
    calendar = _cal("mitoxantrone", bsa=1.7, until=date(2035, 1, 1), jurisdiction="EU")
    assert len(calendar.doses) == 6
    calendar = _cal(
        "mitoxantrone",
        bsa=1.7,
        until=date(2035, 1, 1),
        jurisdiction="EU",
        prior_cumulative_per_m2=36,
        clinician_reason="restarted after a multidisciplinary review",
    )
    assert len(calendar.doses) == 3


def test_mitoxantrone_eu_refuses_initiation_after_prior_treatment_without_a_clinician() -> None:
    """'The treatment must not be initiated in patients who have been previously treated' (mitoxantrone S6, EU)."""
    with pytest.raises(RegimenError, match="must not be started after earlier treatment"):
        _cal("mitoxantrone", bsa=1.7, jurisdiction="EU", prior_cumulative_per_m2=12)


@pytest.mark.parametrize("prior", [-50, float("nan"), float("inf"), 100_000])
def test_mitoxantrone_refuses_negative_or_absurd_prior_exposure(prior: float) -> None:
    with pytest.raises(RegimenError, match="prior exposure"):
        _cal("mitoxantrone", bsa=1.7, prior_cumulative_per_m2=prior)


def test_a_prior_exposure_for_a_therapy_without_a_cap_is_refused() -> None:
    with pytest.raises(RegimenError, match="no cumulative cap"):
        _cal("ocrelizumab-iv", prior_cumulative_per_m2=10)


def test_the_mitoxantrone_cap_counts_the_amounts_given_not_the_planned_amount() -> None:
    """Two doses given at 20 mg/m2 (34 mg at 1.7 m2) count as 40, not 24: the US cap of 140 leaves 8 more."""
    given = [date(2027, 1, 4), date(2027, 4, 4)]
    calendar = _cal("mitoxantrone", bsa=1.7, until=date(2035, 1, 1), given=given, given_mg=[34.0, 34.0])
    assert calendar.doses[0].dose_mg == 34.0 and calendar.doses[0].amount == 20
    assert len(calendar.doses) == 2 + 8  # 40 + 8 x 12 = 136 <= 140; a ninth would be 148
    assert calendar.cumulative_per_m2 == pytest.approx(136)


# --- rituximab --------------------------------------------------------------------------------------------


def test_rituximab_second_infusion_keeps_two_weeks_from_the_first_as_a_minimum_interval() -> None:
    """RA reference: 'two 1000-mg intravenous infusions separated by 2 weeks' (rituximab S4), not sooner."""
    calendar = _cal("rituximab", given=[START], requested={2: START + timedelta(days=10)}, until=date(2027, 3, 1))
    assert any("breaks the minimum interval (14 days)" in w for w in calendar.warnings)
    assert calendar.doses[1].earliest == START + timedelta(days=14)


def test_rituximab_reference_course_repeats_two_infusions_every_24_weeks() -> None:
    """RA label course for reference: 'two 1000-mg intravenous infusions separated by 2 weeks' and
    'every 6 months (24 weeks)' (rituximab S4) — off-label for MS, needs review."""
    calendar = _cal("rituximab", until=date(2027, 12, 31))
    assert _dates(calendar) == ["2027-01-04", "2027-01-18", "2027-06-21", "2027-07-05", "2027-12-06", "2027-12-20"]


# --- bad input --------------------------------------------------------------------------------------------


def test_given_date_before_the_start_is_refused() -> None:
    with pytest.raises(RegimenError, match="before the start"):
        _cal("natalizumab", given=[date(2026, 12, 1)])


def test_given_dates_out_of_order_are_refused() -> None:
    with pytest.raises(RegimenError, match="in order"):
        _cal("natalizumab", given=[START, date(2027, 3, 1), date(2027, 2, 1)])


def test_end_before_start_is_refused() -> None:
    with pytest.raises(RegimenError, match="before the start"):
        _cal("natalizumab", until=date(2026, 1, 1))


# --- properties -------------------------------------------------------------------------------------------

THERAPIES = load_catalog().ids


@settings(max_examples=150, deadline=None)
@given(
    therapy_id=st.sampled_from(THERAPIES),
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    delays=st.lists(st.integers(min_value=0, max_value=60), max_size=6),
)
def test_calendars_are_sorted_keep_minimum_intervals_and_caps(therapy_id: str, start: date, delays: list[int]) -> None:
    therapy = load_catalog().get(therapy_id)
    # Build given dates by following the plan with random delays (a real patient's history).
    given_dates: list[date] = []
    for delay in delays:
        plan = dose_calendar(therapy, start, given=given_dates, bsa=1.8)
        nxt = plan.next_planned
        if nxt is None:
            break
        given_dates.append(nxt.date + timedelta(days=delay))
    calendar = dose_calendar(therapy, start, given=given_dates, bsa=1.8)
    days = [d.date for d in calendar.doses]
    assert days == sorted(days) and len(set(days)) == len(days)
    assert [d.number for d in calendar.doses] == list(range(1, len(days) + 1))
    assert [d.date for d in calendar.doses if d.status == "given"] == given_dates[: len(days)]
    assert not calendar.warnings or all("minimum interval" not in w for w in calendar.warnings)
    if therapy.min_interval is not None:
        initial = len(therapy.regimen.initial) if therapy.regimen.kind == "series" else 0
        minimum = therapy.min_interval.value
        for before, dose in zip(calendar.doses, calendar.doses[1:], strict=False):
            if dose.status == "planned" and dose.number > initial and (dose.number - 1) % max(initial, 1) == 0:
                assert dose.date >= add_period(before.date, minimum)
    if therapy.cumulative_cap is not None:
        assert calendar.cumulative_per_m2 is not None
        assert calendar.cumulative_per_m2 <= therapy.cumulative_cap.limits["US"].value
    for dose in calendar.doses:
        if dose.status == "planned":
            assert dose.window.start <= dose.date <= dose.window.end

"""The schedule charts: accessible SVG (role, title, description), readable without colour, escaped,
and numbers that match the schedule."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from msinfusion.scheduling import Day, Schedule
from msinfusion.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def test_the_chair_chart_is_an_image_named_by_its_title_and_description(
    ratio_day: Day, ratio_schedule: Schedule
) -> None:
    svg = _parse(charts.chair_gantt(ratio_day, ratio_schedule))
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "2 visits on 2 chairs" in (desc.text or "")


def test_every_visit_is_a_bar_labelled_in_words_with_patient_and_treatment(
    ratio_day: Day, ratio_schedule: Schedule
) -> None:
    svg = _parse(charts.chair_gantt(ratio_day, ratio_schedule))
    bars = svg.findall(f".//{SVG}g[@class='chart-bar']")
    assert len(bars) == len(ratio_schedule.assignments) == 2
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "P<1>" in texts and "ocrelizumab-600" in texts and "C01" in texts and "08:00" in texts
    # Phases are patterns, not colours alone; the legend names each pattern.
    fills = {r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-phase"}
    assert fills == {"url(#chairs-checkin)", "url(#chairs-infusion)", "url(#chairs-observation)"}
    assert ("observation", "Observation: dots") in charts.phase_legend()


def test_chart_text_is_escaped(ratio_day: Day, ratio_schedule: Schedule) -> None:
    markup = str(charts.chair_gantt(ratio_day, ratio_schedule))
    assert "P<1>" not in markup and "P&lt;1&gt;" in markup


def test_the_load_chart_draws_patients_and_capacity_as_two_paths(ratio_day: Day, ratio_schedule: Schedule) -> None:
    svg = _parse(charts.patient_load(ratio_day, ratio_schedule))
    assert svg.get("role") == "img"
    assert {p.get("class") for p in svg.iter(f"{SVG}path")} == {"chart-patients", "chart-capacity"}


def test_the_nurse_chart_draws_one_block_per_task(ratio_day: Day, ratio_schedule: Schedule) -> None:
    svg = _parse(charts.nurse_tasks(ratio_day, ratio_schedule))
    tasks = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-task"]
    assert len(tasks) == sum(len(a.nurse_tasks) for a in ratio_schedule.assignments)

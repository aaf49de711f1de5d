"""Server-rendered SVG charts of a day schedule: chairs over time, patients against nurse capacity, and
each nurse's tasks.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``, readable without colour
(phases are told apart by pattern and a legend, lines by dash and weight, bars carry text), and the
page shows the same numbers as a table. Text is escaped; no inline style (the CSP forbids it). Words are
in the page's language, and patients and treatments are named as on every staff page (:class:`Wording`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from msinfusion.scheduling import Day, Schedule
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.load import LoadPoint, load_curve

WIDTH = 960
LEFT = 64
RIGHT = 28
AXIS = 28
ROW = 52
BAR = 44
STRIP = 10
# Phase name -> (pattern id suffix, legend words). Unknown phases draw as plain outline.
PHASES = {
    "check-in": ("checkin", "Check-in: open"),
    "premedication": ("premed", "Premedication: diagonal lines"),
    "infusion": ("infusion", "Infusion: solid"),
    "observation": ("observation", "Observation: dots"),
    "discharge": ("discharge", "Discharge: cross-hatch"),
}


def _legend_words(gettext: Callable[[str], str]) -> dict[str, str]:
    """The legend in the page's language (listed so the message extractor finds each one)."""
    _ = gettext
    return {
        "Check-in: open": _("Check-in: open"),
        "Premedication: diagonal lines": _("Premedication: diagonal lines"),
        "Infusion: solid": _("Infusion: solid"),
        "Observation: dots": _("Observation: dots"),
        "Discharge: cross-hatch": _("Discharge: cross-hatch"),
    }


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Wording:
    """How a chart says things: the page's gettext, and how staff pages name a patient reference
    ("Name (reference)") and a treatment code (the therapy's display name and dose)."""

    gettext: Callable[[str], str] = field(default=_same)
    patient: Callable[[str], str] = field(default=_same)
    treatment: Callable[[str], str] = field(default=_same)


@dataclass(frozen=True)
class Span:
    """The chart's time range in minutes after midnight, with whole hours for the axis."""

    start: int
    end: int

    def x(self, minute: int) -> float:
        inner = WIDTH - LEFT - RIGHT
        return round(LEFT + (minute - self.start) * inner / max(1, self.end - self.start), 1)

    def hours(self) -> list[int]:
        first = -(-self.start // 60) * 60
        return list(range(first, self.end + 1, 60))


def _span(day: Day) -> Span:
    return Span(day.center.opens, day.center.closes)


def _attrs(**values: object) -> str:
    return " ".join(f'{name.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for name, value in values.items())


def _svg(chart_id: str, height: int, title: str, desc: str, body: Iterable[str]) -> Markup:
    head = (
        f'<svg class="chart" {_attrs(id=chart_id, viewBox=f"0 0 {WIDTH} {height}")} role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _axis(span: Span, top: int, bottom: int) -> list[str]:
    parts = []
    for minute in span.hours():
        x = span.x(minute)
        parts.append(f'<line class="chart-grid" {_attrs(x1=x, y1=top, x2=x, y2=bottom)}/>')
        parts.append(
            f'<text class="chart-axis" {_attrs(x=x, y=top - 8, text_anchor="middle")}>{format_clock(minute)}</text>'
        )
    return parts


def _patterns(prefix: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{prefix}-premed" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#111111" stroke-width="2"/>'
        "</pattern>"
        f'<pattern id="{prefix}-infusion" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<rect width="4" height="4" fill="#0a3a8a"/></pattern>'
        f'<pattern id="{prefix}-observation" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.4" fill="#111111"/></pattern>'
        f'<pattern id="{prefix}-discharge" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/><path d="M0 0L6 6M6 0L0 6" stroke="#111111" stroke-width="1"/>'
        "</pattern>"
        f'<pattern id="{prefix}-checkin" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/></pattern>'
        "</defs>"
    )


def phase_legend(gettext: Callable[[str], str] = _same) -> list[tuple[str, str]]:
    """(pattern suffix, words) for the legend the page prints under the chair chart."""
    words = _legend_words(gettext)
    return [(suffix, words[english]) for suffix, english in PHASES.values()]


def chair_gantt(day: Day, schedule: Schedule, chart_id: str = "chairs", words: Wording | None = None) -> Markup:
    """One row per chair; each visit a bar labelled with patient and treatment, its phases as patterns."""
    words = words or Wording()
    _ = words.gettext
    span = _span(day)
    visits = {a.id: a for a in day.appointments}
    rows = [chair.id for chair in day.center.chairs]
    height = AXIS + ROW * max(1, len(rows)) + 8
    body = [_patterns(chart_id), *_axis(span, AXIS, height - 4)]
    for index, chair in enumerate(rows):
        top = AXIS + index * ROW + (ROW - BAR) // 2
        body.append(f'<text class="chart-label" {_attrs(x=8, y=top + BAR // 2 + 5)}>{escape(chair)}</text>')
        body.append(
            f'<line class="chart-row" {_attrs(x1=LEFT, y1=top + BAR + 3, x2=WIDTH - RIGHT, y2=top + BAR + 3)}/>'
        )
    for assignment in schedule.assignments:
        visit = visits.get(assignment.appointment)
        if visit is None or assignment.chair not in rows:
            continue
        top = AXIS + rows.index(assignment.chair) * ROW + (ROW - BAR) // 2
        x0, x1 = span.x(assignment.start), span.x(assignment.end)
        clip = f"{chart_id}-clip-{assignment.appointment}"
        patient, treatment = words.patient(visit.patient), words.treatment(visit.treatment)
        label = _("{patient}, {treatment}, chair {chair}, {start} to {end}").format(
            patient=patient,
            treatment=treatment,
            chair=assignment.chair,
            start=format_clock(assignment.start),
            end=format_clock(assignment.end),
        )
        body.append(f'<g class="chart-bar"><title>{escape(label)}</title>')
        body.append(
            f'<clipPath id="{escape(clip)}"><rect {_attrs(x=x0, y=top, width=x1 - x0, height=BAR)}/></clipPath>'
        )
        body.append(f'<rect class="chart-visit" {_attrs(x=x0, y=top, width=x1 - x0, height=BAR, rx=3)}/>')
        offset = assignment.start
        for phase in visit.resolved_phases:
            if phase.minutes:
                suffix = PHASES.get(phase.name, ("checkin", ""))[0]
                px0, px1 = span.x(offset), span.x(offset + phase.minutes)
                body.append(
                    f'<rect class="chart-phase" fill="url(#{chart_id}-{suffix})" '
                    f"{_attrs(x=px0, y=top + BAR - STRIP, width=max(0.5, px1 - px0), height=STRIP)}/>"
                )
            offset += phase.minutes
        body.append(f'<g clip-path="url(#{escape(clip)})">')
        body.append(
            f'<text class="chart-text chart-text--strong" {_attrs(x=x0 + 4, y=top + 15)}>{escape(patient)}</text>'
        )
        body.append(f'<text class="chart-text" {_attrs(x=x0 + 4, y=top + 29)}>{escape(treatment)}</text>')
        body.append("</g></g>")
    scheduled = len(schedule.assignments)
    desc = _(
        "{visits} visits on {chairs} chairs between {opens} and {closes}. "
        "The table of assignments below lists the same visits."
    ).format(visits=scheduled, chairs=len(rows), opens=format_clock(span.start), closes=format_clock(span.end))
    return _svg(chart_id, height, _("Chairs over the day"), desc, body)


def _steps(span: Span, points: list[LoadPoint], value: str, base: float, scale: float) -> str:
    parts = []
    for index, point in enumerate(points):
        x, y = span.x(point.minute), round(base - getattr(point, value) * scale, 1)
        parts.append(f"M{x} {y}" if index == 0 else f"H{x} V{y}")
    return " ".join(parts)


def patient_load(day: Day, schedule: Schedule, chart_id: str = "load", words: Wording | None = None) -> Markup:
    """Patients in chairs (filled steps) against capacity = ratio x nurses on shift (dashed line)."""
    _ = (words or Wording()).gettext
    span = _span(day)
    points = load_curve(day, schedule)
    top = max([p.capacity for p in points] + [p.patients for p in points] + [1])
    plot_h = 200
    height = AXIS + plot_h + 12
    base = AXIS + plot_h
    scale = plot_h / top
    body = _axis(span, AXIS, base)
    for level in sorted({0, top // 2, top}):
        y = round(base - level * scale, 1)
        body.append(f'<text class="chart-axis" {_attrs(x=LEFT - 8, y=y + 5, text_anchor="end")}>{level}</text>')
    body.append(f'<line class="chart-row" {_attrs(x1=LEFT, y1=base, x2=WIDTH - RIGHT, y2=base)}/>')
    if points:
        area = _steps(span, points, "patients", base, scale)
        last = span.x(points[-1].minute)
        body.append(f'<path class="chart-patients" d="{area} H{last} V{base} H{span.x(points[0].minute)} Z"/>')
        body.append(f'<path class="chart-capacity" d="{_steps(span, points, "capacity", base, scale)}"/>')
    peak = max((p.patients for p in points), default=0)
    desc = _(
        "At most {peak} patients in chairs at once; {ratio} patients per nurse on shift "
        "set the capacity (dashed line). The hourly table below gives the same numbers."
    ).format(peak=peak, ratio=day.center.max_patients_per_nurse)
    return _svg(chart_id, height, _("Patients in chairs and nurse capacity"), desc, body)


def nurse_tasks(day: Day, schedule: Schedule, chart_id: str = "nurses", words: Wording | None = None) -> Markup:
    """One row per nurse: the shift as an outlined band, each task as a solid block."""
    _ = (words or Wording()).gettext
    span = _span(day)
    nurses = [n.id for n in day.center.nurses]
    row, band = 40, 28
    height = AXIS + row * max(1, len(nurses)) + 8
    body = _axis(span, AXIS, height - 4)
    for index, nurse in enumerate(day.center.nurses):
        top = AXIS + index * row + (row - band) // 2
        body.append(f'<text class="chart-label" {_attrs(x=8, y=top + band // 2 + 5)}>{escape(nurse.id)}</text>')
        x0, x1 = span.x(max(span.start, nurse.shift_start)), span.x(min(span.end, nurse.shift_end))
        body.append(f'<rect class="chart-shift" {_attrs(x=x0, y=top, width=max(0, x1 - x0), height=band)}/>')
    for assignment in schedule.assignments:
        for task in assignment.nurse_tasks:
            if task.nurse not in nurses:
                continue
            top = AXIS + nurses.index(task.nurse) * row + (row - band) // 2 + 4
            x0, x1 = span.x(task.start), span.x(task.end)
            body.append(f'<rect class="chart-task" {_attrs(x=x0, y=top, width=max(1, x1 - x0), height=band - 8)}/>')
    desc = _(
        "Shifts of {nurses} nurses as outlined bands, their tasks (check-in, premedication, starting "
        "infusions, discharge) as solid blocks. The nurse table below gives each nurse's task minutes."
    ).format(nurses=len(nurses))
    return _svg(chart_id, height, _("Nurse tasks over the day"), desc, body)

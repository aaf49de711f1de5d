"""The clock times of one visit (arrival, phases, finish) and how long to plan for, in plain words."""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field

from msinfusion.center import CenterProfile
from msinfusion.i18n import Translator
from msinfusion.visits import VisitTimeline


class VisitTimes(BaseModel):
    """Clock times of one visit: the chair start (check-in) is the scheduled start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: datetime.datetime
    confirmed: bool = Field(description="False while the time is the center's default, to be confirmed")
    arrive_by: datetime.datetime
    finish: datetime.datetime
    phases: list[tuple[str, datetime.datetime, int]] = Field(description="(phase name, start, minutes)")


def visit_times(
    center: CenterProfile,
    day: datetime.date,
    timeline: VisitTimeline,
    booked: datetime.datetime | None = None,
) -> VisitTimes:
    """When to arrive, when each phase starts and the expected finish (start + chair minutes)."""
    if booked is not None:
        start = booked if booked.tzinfo else booked.replace(tzinfo=center.zone)
    else:
        start = datetime.datetime.combine(day, center.default_start_on(day), tzinfo=center.zone)
    phases = [
        (
            "injection" if p.title == "Injection" else p.name,
            start + datetime.timedelta(minutes=p.starts_after),
            p.minutes,
        )
        for p in timeline.phases
        if p.minutes
    ]
    return VisitTimes(
        start=start,
        confirmed=booked is not None,
        arrive_by=start - datetime.timedelta(minutes=center.arrive_early_minutes),
        finish=start + datetime.timedelta(minutes=timeline.chair_minutes),
        phases=phases,
    )


def plan_for_text(hours: float, t: Translator) -> str:
    """'about 4 and a half hours' in the patient's language (hours are rounded up to the half hour)."""
    whole = int(hours)
    half = hours - whole >= 0.5
    if whole == 0:
        return t.gettext("about half an hour")
    if half:
        return t.ngettext("about {n} and a half hours", "about {n} and a half hours", whole).format(n=whole)
    return t.ngettext("about {n} hour", "about {n} hours", whole).format(n=whole)

"""Assembling one visit's preparation plan from the builders, in their order."""

from __future__ import annotations

import datetime

from msinfusion.card import CardDetails
from msinfusion.center import CenterProfile
from msinfusion.i18n import Translator
from msinfusion.preparation.builders import BUILDERS
from msinfusion.preparation.driver import driver_reasons
from msinfusion.preparation.tasks import PreparationPlan
from msinfusion.preparation.times import VisitTimes
from msinfusion.preparation.visit import Visit
from msinfusion.regimens import PlannedDose
from msinfusion.therapies import Therapy
from msinfusion.visits import VisitTimeline


def preparation_plan(
    therapy: Therapy,
    dose: PlannedDose,
    timeline: VisitTimeline,
    times: VisitTimes,
    center: CenterProfile,
    card: CardDetails,
    t: Translator,
    *,
    therapy_name: str,
    dose_text: str,
    extra_advice: list[str] | None = None,
    first_dose: datetime.date | None = None,
) -> PreparationPlan:
    """The preparation tasks for one visit, from a week before to after the visit.

    ``first_dose`` is the date of dose 1: repeated checks (e.g. PML assessments) are dated from it, and
    are left out when it is not known.
    """
    if first_dose is None and dose.number == 1:
        first_dose = dose.date
    visit = Visit(
        therapy=therapy,
        dose=dose,
        timeline=timeline,
        times=times,
        center=center,
        card=card,
        t=t,
        therapy_name=therapy_name,
        dose_text=dose_text,
        extra_advice=tuple(extra_advice or ()),
        first_dose=first_dose,
    )
    return PreparationPlan(
        dose_number=dose.number,
        visit_date=dose.date,
        first_infusion=visit.first,
        driver_needed=bool(driver_reasons(visit)),
        tasks=[task for build in BUILDERS for task in build(visit)],
    )

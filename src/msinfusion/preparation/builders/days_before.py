"""In the days before: rest and water (seed), and vaccines well before a first dose (label facts)."""

from __future__ import annotations

import datetime

from msinfusion.preparation.tasks import SEED, Stage, Task
from msinfusion.preparation.visit import Visit


def rest_and_water(visit: Visit) -> list[Task]:
    """Sleep and drink water in the days before, so a vein is easier to find."""
    _ = visit.t.gettext
    return [
        Task(
            id="rest-and-water",
            stage=Stage.DAYS_BEFORE,
            due=visit.before(3),
            title=_("Rest and drink water"),
            detail=_("Get enough sleep and drink plenty of water in the days before your visit."),
            reason=_("When you are rested and have had enough to drink, the nurse can find a vein more easily."),
            sources=[SEED],
        )
    ]


def vaccines(visit: Visit) -> list[Task]:
    """Before a first dose, vaccines by the weeks of the therapy's ``vaccine_lead`` fact (e.g. OCREVUS 2.1)."""
    lead = visit.therapy.vaccine_lead
    if not visit.first or lead is None:
        return []
    _ = visit.t.gettext
    weeks = lead.value
    return [
        Task(
            id="vaccines",
            stage=Stage.DAYS_BEFORE,
            due=visit.day - datetime.timedelta(weeks=weeks.live_weeks),
            title=_("Check your vaccines well before the first dose"),
            detail=_(
                "Ask your care team which vaccines you need. Live vaccines should be done at least {live} "
                "weeks before your first dose, and other vaccines at least {other} weeks before, when possible."
            ).format(live=weeks.live_weeks, other=weeks.non_live_weeks),
            reason=_("This medicine can make vaccines work less well, so timing matters."),
            sources=visit.sources([lead]),
            needs_review=lead.needs_review,
        )
    ]

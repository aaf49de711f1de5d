"""A visit as the preparation builders see it, for any therapy, dose, center, card and language."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from msinfusion.card import CardDetails
from msinfusion.center import CenterProfile, demo_center
from msinfusion.i18n import translator
from msinfusion.preparation import Visit, visit_times
from msinfusion.regimens import dose_calendar
from msinfusion.therapies import Therapy, load_catalog
from msinfusion.visits import dose_visit

START = datetime.date(2027, 1, 4)  # a Monday

MakeVisit = Callable[..., Visit]


def build_visit(
    therapy: str | Therapy,
    number: int = 1,
    *,
    center: CenterProfile | None = None,
    card: CardDetails | None = None,
    booked: datetime.datetime | None = None,
    locale: str = "en",
    extra_advice: tuple[str, ...] = (),
) -> Visit:
    chosen = therapy if isinstance(therapy, Therapy) else load_catalog().get(therapy)
    center = center or demo_center()
    doses = dose_calendar(chosen, START, bsa=1.8).doses
    dose = doses[number - 1]
    timeline = dose_visit(chosen, dose, center.visit_policy)
    return Visit(
        therapy=chosen,
        dose=dose,
        timeline=timeline,
        times=visit_times(center, dose.date, timeline, booked),
        center=center,
        card=card or CardDetails(),
        t=translator(locale),
        therapy_name=chosen.name,
        dose_text=f"{dose.amount:g} {dose.unit}",
        extra_advice=extra_advice,
        first_dose=doses[0].date,
    )


@pytest.fixture
def make_visit() -> MakeVisit:
    return build_visit

"""What the preparation builders read about one visit: the dose, its timeline and times, the center, the card."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from msinfusion.card import CardDetails
from msinfusion.center import CenterProfile
from msinfusion.i18n import Translator
from msinfusion.preparation.times import VisitTimes
from msinfusion.regimens import PlannedDose
from msinfusion.therapies import Fact, Therapy
from msinfusion.visits import VisitTimeline


@dataclass(frozen=True)
class Visit:
    """One visit as the builders see it; the patient's translator ``t`` words every task."""

    therapy: Therapy
    dose: PlannedDose
    timeline: VisitTimeline
    times: VisitTimes
    center: CenterProfile
    card: CardDetails
    t: Translator
    therapy_name: str
    dose_text: str
    extra_advice: tuple[str, ...] = ()
    first_dose: datetime.date | None = None
    """The date of dose 1 (monitoring schedules count from it); unknown leaves scheduled checks out."""

    @property
    def day(self) -> datetime.date:
        return self.dose.date

    def before(self, days: int) -> datetime.date:
        """The date ``days`` before the visit (after it when negative)."""
        return self.day - datetime.timedelta(days=days)

    @property
    def first(self) -> bool:
        return self.dose.number == 1

    def sources(self, facts: Sequence[Fact[Any]]) -> list[str]:
        """The facts' source ids with the labels-file prefix ('ocrelizumab:S3'), sorted, each once."""
        stem = self.therapy.labels_file.removesuffix(".md")
        return sorted({sid if ":" in sid else f"{stem}:{sid}" for fact in facts for sid in fact.source})

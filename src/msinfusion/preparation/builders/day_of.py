"""On the day: the center's caffeine and smoking rules, what to wear, when to arrive and when it ends."""

from __future__ import annotations

from msinfusion.center import DayRule
from msinfusion.i18n import Translator
from msinfusion.preparation.names import phase_name
from msinfusion.preparation.tasks import SEED, Stage, Task
from msinfusion.preparation.times import plan_for_text
from msinfusion.preparation.visit import Visit


def _rule_text(rule: DayRule | None, t: Translator, default: str, unset: str) -> str:
    if rule is None:
        return unset
    if t.locale in rule.wording:
        return rule.wording[t.locale]
    if rule.hours_before is not None:
        return default.format(n=rule.hours_before)
    return unset


def caffeine_and_smoking(visit: Visit) -> list[Task]:
    """The center's own wording, else its hours, else a question for the care team."""
    t, center = visit.t, visit.center
    _ = t.gettext
    caffeine = _rule_text(
        center.caffeine,
        t,
        _("Do not have coffee, tea, cola or energy drinks in the {n} hours before your visit."),
        _("Ask your care team if you should skip coffee or other caffeine before your visit."),
    )
    smoking = _rule_text(
        center.smoking,
        t,
        _("Do not smoke or vape in the {n} hours before your visit."),
        _("Ask your care team if you should not smoke before your visit."),
    )
    return [
        Task(
            id="caffeine-and-smoking",
            stage=Stage.DAY_OF,
            due=visit.day,
            title=_("Caffeine and smoking"),
            detail=caffeine,
            reason=_("Your care team sets these limits for the day of your visit."),
            items=[smoking],
            sources=[SEED],
        )
    ]


def clothing(visit: Visit) -> list[Task]:
    """Clothes for one free hand, an IV arm and a room that can be warm or cold (seed)."""
    _ = visit.t.gettext
    return [
        Task(
            id="clothing",
            stage=Stage.DAY_OF,
            due=visit.day,
            title=_("What to wear"),
            detail=_(
                "One arm will hold the IV, so you will have only one free hand, also in the bathroom. "
                "Wear clothes you can manage with one hand."
            ),
            reason=_(
                "Loose sleeves let the nurse reach the IV and the blood pressure cuff. Layers help if you "
                "feel too warm or too cold."
            ),
            items=[
                _("Loose clothes with sleeves that roll up above the elbow"),
                _("Layers you can put on or take off"),
                _("Comfortable shoes"),
                _("No perfume, cologne or scented lotion. Other patients may be allergic"),
            ],
            sources=[SEED],
        )
    ]


def arrive(visit: Visit) -> list[Task]:
    """Arrival before check-in, each phase's start, and whether the time is still a placeholder."""
    t, times = visit.t, visit.times
    _ = t.gettext
    steps = [
        _("{time}: {phase} ({minutes})").format(
            time=t.time(start), phase=phase_name(name, t), minutes=t.duration(minutes)
        )
        for name, start, minutes in times.phases
    ]
    detail = _("Arrive by {arrive}. Check-in starts at {start}.").format(
        arrive=t.time(times.arrive_by), start=t.time(times.start)
    )
    premed_minutes = visit.timeline.phase_minutes("premedication")
    if premed_minutes:
        detail += " " + _("You get your premedicine about {minutes} before the infusion starts.").format(
            minutes=t.duration(premed_minutes)
        )
    if not times.confirmed:
        detail += " " + _("This time is a placeholder until the center books your visit. Call to confirm it.")
    return [
        Task(
            id="arrive",
            stage=Stage.DAY_OF,
            due=visit.day,
            title=_("When to arrive"),
            detail=detail,
            reason=_("Check-in and premedicine have to be done before the infusion can start."),
            items=steps,
            sources=[SEED],
        )
    ]


def finish(visit: Visit) -> list[Task]:
    """The expected finish from the visit timeline, and how long to plan for."""
    t = visit.t
    _ = t.gettext
    return [
        Task(
            id="finish",
            stage=Stage.DAY_OF,
            due=visit.day,
            title=_("When you will be done"),
            detail=_("Expect to finish around {finish}. Plan for {plan} at the center.").format(
                finish=t.time(visit.times.finish), plan=plan_for_text(visit.timeline.plan_hours, t)
            ),
            reason=_("The infusion and the time you are watched afterwards follow the medicine's label."),
            sources=[SEED],
        )
    ]

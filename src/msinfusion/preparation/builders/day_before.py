"""The day before (seed): pack the bag, know what the center has, answer the pre-infusion check."""

from __future__ import annotations

from msinfusion.preparation.names import amenity_name
from msinfusion.preparation.tasks import SEED, Stage, Task
from msinfusion.preparation.times import plan_for_text
from msinfusion.preparation.visit import Visit


def pack(visit: Visit) -> list[Task]:
    """What to bring for a long sit, plus the check's own advice."""
    t = visit.t
    _ = t.gettext
    items = [
        _("Something to do: a book, an audiobook or a podcast"),
        _("A charged phone or tablet, its charger and headphones"),
        _("Snacks and a drink"),
        _("A blanket or a warm layer"),
        _("Your information card and your list of medicines"),
        *visit.extra_advice,
    ]
    return [
        Task(
            id="pack",
            stage=Stage.DAY_BEFORE,
            due=visit.before(1),
            title=_("Pack your bag"),
            detail=_("Your visit can take {plan}. Bring what helps you pass the time and stay comfortable.").format(
                plan=plan_for_text(visit.timeline.plan_hours, t)
            ),
            reason=_("You will sit in the chair for a long time, and rooms can feel cold."),
            items=items,
            sources=[SEED],
        )
    ]


def center_provides(visit: Visit) -> list[Task]:
    """The center's amenities, or a call to ask about them."""
    t, center = visit.t, visit.center
    _ = t.gettext
    provided = [amenity_name(a, t) for a in center.amenities]
    return [
        Task(
            id="center-provides",
            stage=Stage.DAY_BEFORE,
            due=visit.before(1),
            title=_("What the center has for you"),
            detail=(
                _("{center} has these for you. You can still bring your own.").format(center=center.name)
                if provided
                else _("Call {center} at {phone} and ask what they have and what you should bring.").format(
                    center=center.name, phone=center.phone_text()
                )
            ),
            reason=_("Knowing this helps you pack only what you need."),
            items=provided,
            sources=[SEED],
        )
    ]


def check(visit: Visit) -> list[Task]:
    """Answer the pre-infusion check the day before."""
    _ = visit.t.gettext
    return [
        Task(
            id="check",
            stage=Stage.DAY_BEFORE,
            due=visit.before(1),
            title=_("Answer the pre-infusion check"),
            detail=_("Answer the short check in this plan. It tells you whether to come in or to call first."),
            reason=_("Some changes in your health mean the infusion should wait or a doctor should see you."),
            sources=[SEED],
        )
    ]

"""After the visit: who drives home, and when reactions can still happen and whom to call."""

from __future__ import annotations

from msinfusion.preparation.driver import driver_reasons
from msinfusion.preparation.tasks import SEED, Stage, Task
from msinfusion.preparation.visit import Visit


def ride_home(visit: Visit) -> list[Task]:
    """The driver (named from the card) or when driving oneself is all right."""
    _ = visit.t.gettext
    driver = visit.card.driver
    if driver_reasons(visit):
        ride = (
            _("{name} drives you home.").format(name=driver.name)
            if driver
            else _("Have someone drive you home. Do not drive yourself.")
        )
    else:
        ride = _("Drive yourself only if your care team said it is safe.")
    return [
        Task(
            id="ride-home",
            stage=Stage.AFTER,
            due=visit.day,
            title=_("Getting home"),
            detail=ride,
            reason=_("You may feel tired or sleepy after the visit."),
            sources=[SEED],
        )
    ]


def reactions(visit: Visit) -> list[Task]:
    """Late reactions: the hours from the therapy's ``late_reactions_hours`` fact (e.g. OCREVUS 5.1), whom to call."""
    _ = visit.t.gettext
    center = visit.center
    late = visit.therapy.late_reactions_hours
    if late is not None:
        when = _("A reaction can still happen up to {hours} hours after the infusion.").format(hours=late.value)
        sources = visit.sources([late])
    else:
        when = _("A reaction can still happen after you leave, most often later the same day.")
        sources = [SEED]
    call = _(
        "Call {center} at {phone} if you get a rash, itching, fever, headache or feel unwell. "
        "Call {emergency} if you have trouble breathing or swelling of the face, lips or throat."
    ).format(center=center.name, phone=center.phone_text(), emergency=center.emergency_number)
    return [
        Task(
            id="reactions",
            stage=Stage.AFTER,
            due=visit.day,
            title=_("If you feel unwell afterwards"),
            detail=f"{when} {call}",
            reason=_("Your care team wants to know about reactions, and fast help matters if one is serious."),
            sources=sources,
        )
    ]

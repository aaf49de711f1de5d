"""A week before (seed): confirm the visit, arrange a ride home, check the information card."""

from __future__ import annotations

from msinfusion.preparation.driver import driver_reasons
from msinfusion.preparation.names import card_gap_text, premedication_names
from msinfusion.preparation.tasks import SEED, Stage, Task
from msinfusion.preparation.visit import Visit


def confirm_details(visit: Visit) -> list[Task]:
    """Confirm date, time, place, treatment and premedicine with the center."""
    t, times, center = visit.t, visit.times, visit.center
    _ = t.gettext
    time_text = (
        t.time(times.start) if times.confirmed else _("{time} (to be confirmed)").format(time=t.time(times.start))
    )
    premeds = premedication_names(visit.therapy, visit.dose, t)
    premed_text = ", ".join(premeds) if premeds else _("none planned")
    return [
        Task(
            id="confirm-details",
            stage=Stage.WEEK_BEFORE,
            due=visit.before(7),
            title=_("Confirm your visit with the center"),
            detail=_("Call {center} at {phone} and check these details.").format(
                center=center.name, phone=center.phone_text()
            ),
            reason=_("Plans can change. Checking now saves you a wasted trip."),
            items=[
                _("Date: {date}").format(date=t.date(visit.day)),
                _("Time: {time}").format(time=time_text),
                _("Place: {place}").format(place=f"{center.name}, {center.address.one_line}"),
                _("Treatment: {treatment}").format(treatment=f"{visit.therapy_name}, {visit.dose_text}"),
                _("Premedicine: {premeds}").format(premeds=premed_text),
            ],
            sources=[SEED],
        )
    ]


def ride(visit: Visit) -> list[Task]:
    """A driver when the visit needs one (named from the card), otherwise a question about driving."""
    _ = visit.t.gettext
    reasons = driver_reasons(visit)
    if not reasons:
        return [
            Task(
                id="ask-about-driving",
                stage=Stage.WEEK_BEFORE,
                due=visit.before(7),
                title=_("Ask if you can drive yourself home"),
                detail=_(
                    "Ask your care team whether it is safe for you to drive after this visit. Many people "
                    "still bring a friend for company."
                ),
                reason=_("How you feel after an infusion can change from visit to visit."),
                sources=[SEED],
            )
        ]
    driver = visit.card.driver
    detail = (
        _("{name} is your driver. Check that they can come and stay close by.").format(name=driver.name)
        if driver
        else _("Ask a friend or family member to come with you and drive you home.")
    )
    return [
        Task(
            id="driver",
            stage=Stage.WEEK_BEFORE,
            due=visit.before(7),
            title=_("Arrange a ride home"),
            detail=detail,
            reason=" ".join(reasons),
            sources=[SEED],
        )
    ]


def card(visit: Visit) -> list[Task]:
    """Check the information card, listing what is missing from it."""
    t = visit.t
    _ = t.gettext
    return [
        Task(
            id="card",
            stage=Stage.WEEK_BEFORE,
            due=visit.before(7),
            title=_("Check your information card"),
            detail=(
                _("Your card looks up to date. Check it once more for new medicines or allergies.")
                if visit.card.is_current(visit.day)
                else _("Fill in or update your card: allergies, medicines, health conditions and emergency contacts.")
            ),
            reason=_("The nurses use it to keep you safe, for example to avoid a medicine you are allergic to."),
            items=[card_gap_text(gap, t) for gap in visit.card.missing()],
            sources=[SEED],
        )
    ]

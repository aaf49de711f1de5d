"""Whether a patient needs a driver home, and why (seed: sedating premedicine, a first infusion, center policy)."""

from __future__ import annotations

from msinfusion.center import DriverPolicy
from msinfusion.preparation.visit import Visit


def driver_reasons(visit: Visit) -> list[str]:
    """Each reason this visit needs a driver, in the patient's words; none means the patient may ask."""
    _ = visit.t.gettext
    reasons = []
    sedating = [p for p in visit.therapy.premedications(visit.dose.number, visit.dose.course_day) if p.sedating]
    if sedating:
        reasons.append(
            _("One of your premedicines ({drug}) can make you sleepy, so driving may not be safe.").format(
                drug=_(sedating[0].drug)
            )
        )
    if visit.first:
        reasons.append(_("This is your first infusion, and you do not yet know how you will feel after it."))
    if visit.center.driver_policy is DriverPolicy.ALWAYS:
        reasons.append(_("{center} asks every patient to have a driver.").format(center=visit.center.name))
    return reasons

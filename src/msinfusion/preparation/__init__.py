"""The preparation plan for one visit: dated tasks, each with a reason a patient understands.

The advice follows the seed article (what a patient needs to know before an MS infusion), made
personal: the visit's premedication decides whether a driver is needed, the visit timeline gives
the arrival and finish times, the center gives its day-of rules and amenities, and the therapy's
data file adds its own tasks (with their label sources). One builder per task
(:mod:`msinfusion.preparation.builders`); all text is ours and goes through the patient's
:class:`~msinfusion.i18n.Translator`.
"""

from msinfusion.preparation.names import amenity_name, card_gap_text, phase_name, premedication_names
from msinfusion.preparation.plan import preparation_plan
from msinfusion.preparation.tasks import SEED, PreparationPlan, Stage, Task, stage_title
from msinfusion.preparation.times import VisitTimes, plan_for_text, visit_times
from msinfusion.preparation.visit import Visit

__all__ = [
    "SEED",
    "PreparationPlan",
    "Stage",
    "Task",
    "Visit",
    "VisitTimes",
    "amenity_name",
    "card_gap_text",
    "phase_name",
    "plan_for_text",
    "premedication_names",
    "preparation_plan",
    "stage_title",
    "visit_times",
]

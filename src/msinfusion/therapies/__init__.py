"""The therapy catalog: one data file per therapy, loaded only through typed models."""

from msinfusion.therapies.catalog import Catalog, ReviewItem, UnknownTherapy, load_catalog, review_items
from msinfusion.therapies.model import (
    Course,
    Courses,
    DoseRange,
    DoseStep,
    Fact,
    InfusionProfile,
    InfusionReaction,
    Period,
    Premedication,
    Ramp,
    RateStep,
    Series,
    Status,
    Therapy,
)
from msinfusion.therapies.overrides import OverrideError, apply_overrides

__all__ = [
    "Catalog",
    "Course",
    "Courses",
    "DoseRange",
    "DoseStep",
    "Fact",
    "InfusionProfile",
    "InfusionReaction",
    "OverrideError",
    "Period",
    "Premedication",
    "Ramp",
    "RateStep",
    "ReviewItem",
    "Series",
    "Status",
    "Therapy",
    "UnknownTherapy",
    "apply_overrides",
    "load_catalog",
    "review_items",
]

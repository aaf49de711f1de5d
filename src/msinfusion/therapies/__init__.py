"""The therapy catalog: one data file per therapy, loaded only through typed models."""

from msinfusion.therapies.catalog import Catalog, ReviewItem, UnknownTherapy, load_catalog, review_items
from msinfusion.therapies.model import (
    Course,
    Courses,
    DoseRange,
    DoseStep,
    Fact,
    InfusionProfile,
    Period,
    Premedication,
    Ramp,
    RateStep,
    Series,
    Status,
    Therapy,
)

__all__ = [
    "Catalog",
    "Course",
    "Courses",
    "DoseRange",
    "DoseStep",
    "Fact",
    "InfusionProfile",
    "Period",
    "Premedication",
    "Ramp",
    "RateStep",
    "ReviewItem",
    "Series",
    "Status",
    "Therapy",
    "UnknownTherapy",
    "load_catalog",
    "review_items",
]

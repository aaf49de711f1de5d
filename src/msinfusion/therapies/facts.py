"""Sourced values: a fact (value, source ids, status), periods and dose ranges, shared by every therapy model."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

T = TypeVar("T")


class Status(StrEnum):
    """How firmly a value is sourced (the status codes of ``shared/labels``)."""

    LABEL = "label"
    MANUFACTURER = "manufacturer"
    SECONDARY = "secondary"
    PRACTICE = "practice"
    UNCONFIRMED = "unconfirmed"
    CENTER = "center"
    """A center's own override of a catalog default (recorded with who, when and why)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


SourceIds = Annotated[list[str], BeforeValidator(_as_list)]

_SOURCE_ID = re.compile(r"^(?:[a-z-]+:)?S\d+$")


class Fact(Strict, Generic[T]):
    """One clinical value with the source ids (``S#`` of the labels file) it comes from."""

    value: T
    source: SourceIds = Field(min_length=1)
    status: Status
    note: str | None = None

    @field_validator("source")
    @classmethod
    def _source_ids(cls, ids: list[str]) -> list[str]:
        for sid in ids:
            if not _SOURCE_ID.match(sid):
                raise ValueError(f"source id {sid!r} is not like 'S4' or 'methylprednisolone:S3'")
        return ids

    @property
    def needs_review(self) -> bool:
        """Unconfirmed values are usable but shown to staff as needing review."""
        return self.status is Status.UNCONFIRMED


_PERIOD = re.compile(r"^\s*(\d+)\s*(day|week|month)s?\s*$")


class Period(Strict):
    """A calendar period: days, weeks or calendar months (``"6 months"`` in the data files)."""

    amount: int = Field(ge=0)
    unit: Literal["days", "weeks", "months"]

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _PERIOD.match(value)
            if not match:
                raise ValueError(f"period {value!r} is not like '14 days', '24 weeks' or '6 months'")
            return {"amount": int(match.group(1)), "unit": match.group(2) + "s"}
        return value

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


class DoseRange(Strict):
    """Dose numbers a rule applies to: ``"1-2"``, ``"3-"`` (3 onward), ``"13-"``, ``"all"``."""

    first: int = Field(ge=1)
    last: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, int):
            return {"first": value, "last": value}
        if isinstance(value, str):
            text = value.strip()
            if text == "all":
                return {"first": 1, "last": None}
            first, sep, last = text.partition("-")
            if not first.isdigit() or (last and not last.isdigit()):
                raise ValueError(f"dose range {value!r} is not like '1-2', '3-' or 'all'")
            return {"first": int(first), "last": int(last) if last else (None if sep else int(first))}
        return value

    def __contains__(self, number: object) -> bool:
        if not isinstance(number, int):
            return False
        return number >= self.first and (self.last is None or number <= self.last)

    def __str__(self) -> str:
        if self.last is None:
            return "all" if self.first == 1 else f"{self.first} onward"
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

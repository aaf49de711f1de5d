"""The checks required before each dose (``before_each_dose`` in the therapy data) and which are missing.

A check is named by its ``check`` id in the data (``lvef``, ``neutrophils``, ``touch-authorization``,
``infection``, ``pregnancy-test`` ...). Several monitoring entries may share an id (mitoxantrone's LVEF
check and its threshold): the check then carries every rule and source. :func:`missing_checks` tells
a day board which visits are blocked until staff record a check.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from msinfusion.therapies.model import Status, Therapy


class UnknownCheck(ValueError):
    """A recorded check id that the therapy does not require."""


@dataclass(frozen=True, slots=True)
class RequiredCheck:
    """One check required before a dose, with the rules it stands for and their sources."""

    id: str
    what: str
    rules: tuple[str, ...]
    sources: tuple[str, ...]
    statuses: tuple[Status, ...]

    @property
    def needs_review(self) -> bool:
        return Status.UNCONFIRMED in self.statuses


@dataclass(frozen=True, slots=True)
class DoseCheckState:
    """The checks for one dose: which are required, which recorded, which missing (missing blocks the dose)."""

    therapy: str
    dose_number: int
    required: tuple[RequiredCheck, ...]
    missing: tuple[RequiredCheck, ...]

    @property
    def blocked(self) -> bool:
        return bool(self.missing)


def required_checks(therapy: Therapy, dose_number: int) -> list[RequiredCheck]:
    """The checks required before dose ``dose_number`` of ``therapy``, in data order, one per check id."""
    if dose_number < 1:
        raise ValueError(f"dose numbers start at 1, not {dose_number}")
    merged: dict[str, RequiredCheck] = {}
    for item in therapy.monitoring:
        if not item.before_each_dose or item.check is None:
            continue
        fact = item.fact
        found = merged.get(item.check)
        if found is None:
            merged[item.check] = RequiredCheck(item.check, item.what, (fact.value,), tuple(fact.source), (fact.status,))
        else:
            merged[item.check] = RequiredCheck(
                found.id,
                found.what,
                (*found.rules, fact.value),
                tuple(dict.fromkeys((*found.sources, *fact.source))),
                (*found.statuses, fact.status),
            )
    return list(merged.values())


def missing_checks(therapy: Therapy, dose_number: int, recorded: Collection[str]) -> DoseCheckState:
    """Which required checks before dose ``dose_number`` are not in ``recorded``; an unknown id raises."""
    required = required_checks(therapy, dose_number)
    ids = {c.id for c in required}
    unknown = sorted(set(recorded) - ids)
    if unknown:
        known = ", ".join(sorted(ids)) or "none"
        raise UnknownCheck(f"{therapy.id} needs no check {unknown[0]!r} before a dose; checks: {known}")
    missing = tuple(c for c in required if c.id not in recorded)
    return DoseCheckState(therapy.id, dose_number, tuple(required), missing)

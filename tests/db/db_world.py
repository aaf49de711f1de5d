"""What the database tests' ``place`` fixture built (a module of its own so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Place:
    """One center with two chairs and one patient."""

    center_id: int
    chair_ids: list[int]
    patient_id: int

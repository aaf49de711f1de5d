"""What the outbox tests' ``world`` fixture built (a module of its own so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class World:
    """One center, a scheduler, a patient with one booked visit and a verified e-mail address."""

    center_id: int
    patient_id: int
    appointment_id: int
    contact_id: int
    staff_id: int

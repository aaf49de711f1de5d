"""A center the booking engine can book: weekday hours and nurse shifts added to the web tests' world."""

from __future__ import annotations

from datetime import time

from sqlalchemy import delete

from msinfusion.db import Database
from msinfusion.db.models import Appointment, CenterHours, Nurse, NurseShift
from tests.web.web_world import World

__all__ = ["open_weekdays"]


def open_weekdays(database: Database, world: World, key: str = "a") -> None:
    """Center ``key`` opens 07:00-19:00 Monday to Friday with two nurses; the world's untimed visits go."""
    center_id = world.centers[key]
    with database.session() as db:
        db.execute(delete(CenterHours).where(CenterHours.center_id == center_id))
        db.execute(delete(Appointment).where(Appointment.center_id == center_id))
        for weekday in range(5):
            db.add(CenterHours(center_id=center_id, weekday=weekday, opens=time(7), closes=time(19)))
        for code in ("N1", "N2"):
            nurse = Nurse(center_id=center_id, code=code, name=f"Nurse {code}")
            db.add(nurse)
            db.flush()
            for weekday in range(5):
                db.add(NurseShift(nurse_id=nurse.id, weekday=weekday, starts=time(7), ends=time(19)))

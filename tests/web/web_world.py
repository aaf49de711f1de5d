"""The web tests' small world: two centers with one user per role, a clock, and sign-in helpers.

Imported by the conftest and by tests (a module name of its own, so it never clashes with another
directory's conftest).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its test client and warns once at import when it finds httpx
    # 0.28 instead (pyproject pins httpx). The client works the same with either. Matched by message:
    # older Starlette releases (the lowest-versions run) have no StarletteDeprecationWarning class.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

from msinfusion.db import Database
from msinfusion.db.center_catalog import prescription_therapy
from msinfusion.db.clinical_models import DoseCheck
from msinfusion.db.models import Appointment, Center, CenterHours, Chair, Patient, Prescription, User
from msinfusion.dose_checks import required_checks
from msinfusion.passwords import make_hasher
from msinfusion.settings import Settings

__all__ = ["FAST", "PASSWORD", "FakeClock", "TestClient", "World", "build_world", "csrf_token", "sign_in"]

PASSWORD = "correct-horse-battery-staple"
# Cheap Argon2 so the suite stays fast; production defaults are tested in test_passwords.py.
FAST: dict[str, Any] = {
    "environment": "test",
    "secret_key": "test-secret-not-for-production",
    "argon2_time_cost": 1,
    "argon2_memory_kib": 256,
    "argon2_parallelism": 1,
    "outbox_in_process": "off",  # tests that want the in-process mail loop turn it on
    "jobs_in_process": "on",  # optimizer runs in the app's threads, on PostgreSQL too (tests/jobs use a worker)
}
START = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)


class FakeClock:
    """An app clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# --- a small world: two centers, one user per role, patients with a prescription and a visit ---------


@dataclass
class World:
    """Ids of what :func:`build_world` created; users are looked up by username."""

    centers: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    patients: dict[str, int] = field(default_factory=dict)
    prescriptions: dict[str, int] = field(default_factory=dict)
    appointments: dict[str, int] = field(default_factory=dict)
    chairs: dict[str, int] = field(default_factory=dict)


def build_world(database: Database, settings: Settings, now: datetime = START) -> World:
    """Centers A and B; admin/scheduler/nurse at each; patients a1, a2 at A and b1 at B."""
    world = World()
    password_hash = make_hasher(settings).hash(PASSWORD)
    with database.session() as db:
        for key in ("a", "b"):
            center = Center(name=f"Center {key.upper()}", timezone="America/New_York", max_patients_per_nurse=4)
            db.add(center)
            db.flush()
            world.centers[key] = center.id
            db.add(CenterHours(center_id=center.id, weekday=0, opens=time(7), closes=time(19)))
            for code, features in (("C01", []), ("C02", ["bed"])):
                chair = Chair(center_id=center.id, code=code, features=features)
                db.add(chair)
                db.flush()
                world.chairs[f"{key}-{code}"] = chair.id

            def user(username: str, role: str, center_id: int = center.id) -> User:
                account = User(
                    username=username,
                    display_name=username.replace("_", " ").title(),
                    password_hash=password_hash,
                    role=role,
                    center_id=center_id,
                    password_changed_at=now - timedelta(days=1),
                    created_at=now - timedelta(days=1),
                )
                db.add(account)
                db.flush()
                world.users[username] = account.id
                return account

            for role in ("admin", "scheduler", "nurse"):
                user(f"{role}_{key}", role)
            for number in (1, 2) if key == "a" else (1,):
                name = f"patient_{key}{number}"
                account = user(name, "patient")
                patient = Patient(
                    center_id=center.id,
                    user_id=account.id,
                    reference=f"P{key.upper()}{number}",
                    display_name=name.replace("_", " ").title(),
                    card={"allergies": "none known"},
                )
                db.add(patient)
                db.flush()
                world.patients[f"{key}{number}"] = patient.id
                prescription = Prescription(
                    patient_id=patient.id,
                    therapy_id="ocrelizumab",
                    start_date=date(2027, 3, 8),
                    prescribed_by=world.users[f"scheduler_{key}"],
                    created_at=now,
                )
                db.add(prescription)
                db.flush()
                world.prescriptions[f"{key}{number}"] = prescription.id
                appointment = Appointment(
                    center_id=center.id,
                    patient_id=patient.id,
                    prescription_id=prescription.id,
                    dose_index=0,
                    treatment="ocrelizumab-300",
                    day=date(2027, 3, 8),
                )
                db.add(appointment)
                db.flush()
                world.appointments[f"{key}{number}"] = appointment.id
    return world


_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_token(client: TestClient, page: str = "/login") -> str:
    """The CSRF token the client's browser would find in a page."""
    response = client.get(page, follow_redirects=True)
    match = _META_CSRF.search(response.text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the form like a browser would; returns the response (303 on success)."""
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False
    )


def record_required_checks(database: Database, world: World, key: str, doses: int = 3) -> None:
    """Record every check the data files ask for before the first ``doses`` doses of prescription ``key``.

    Dose records are refused while a required check is missing (``dose_checks``); tests about something
    else (races, retries) start with the checks done, as a nurse would have done them.
    """
    with database.session() as db:
        prescription = db.get_one(Prescription, world.prescriptions[key])
        therapy = prescription_therapy(db, prescription)
        for number in range(1, doses + 1):
            for check in required_checks(therapy, number):
                db.add(
                    DoseCheck(
                        prescription_id=prescription.id,
                        dose_number=number,
                        check_id=check.id,
                        note="",
                        recorded_by=world.users[f"nurse_{key[0]}"],
                        recorded_at=START,
                    )
                )

"""Add-on and repair latency from the board route on a 40-visit day: `python -m benchmarks.board`.

A throwaway SQLite database gets a center with 14 chairs, 5 nurses and 40 booked visits with an accepted
schedule (:func:`msinfusion.db.board_demo.seed_board_day`). A nurse, signed in through the app in process
(the real routes, session, CSRF, database and solver), asks at 10:00 for random add-ons (a catalog visit
of the demo mix for a random patient, wanted now or up to two hours later) and random repairs (a late
arrival of 10-60 minutes, a no-show, a reaction on an infusion in progress with a 10-30 minute pause, or
a nurse leaving 0-2 hours from now). Each request is timed from the POST to the proposal page; nothing
is confirmed, so every request sees the same day. Prints p50, p95 and max per kind.

python -m benchmarks.board [--events 30] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

DAY = date(2027, 3, 8)  # a Monday
TEN = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)  # 10:00 in New York
PASSWORD = "benchmark-password-not-secret"
ADD_ON_TREATMENTS = ("methylprednisolone-1000", "natalizumab-300", "ocrelizumab-600", "ublituximab-450")


@dataclass(frozen=True)
class Timing:
    """One kind of request: its latencies (seconds) and how many answered with a proposal."""

    kind: str
    seconds: list[float]
    proposed: int
    core: list[float]

    def row(self) -> str:
        values, core = sorted(self.seconds), sorted(self.core)
        core_max = core[-1] if core else float("nan")
        return (
            f"{self.kind:<10} {len(values):>4} {statistics.median(values):>8.3f} {_p95(values):>8.3f} "
            f"{values[-1]:>8.3f} {statistics.median(core):>9.3f} {_p95(core):>9.3f} {core_max:>9.3f} {self.proposed:>9}"
        )


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, max(0, round(0.95 * len(values)) - 1))] if values else float("nan")


def _world(url: str) -> tuple[Any, Any]:
    """The app at 10:00 on the 40-visit day, and the visits of the accepted schedule."""
    from msinfusion.db import Database, upgrade
    from msinfusion.db.board_demo import seed_board_day
    from msinfusion.db.live_day import live_day
    from msinfusion.db.models import Center, User
    from msinfusion.passwords import make_hasher
    from msinfusion.settings import Settings
    from msinfusion.web import create_app

    settings = Settings(
        database_url=url,
        environment="test",
        secret_key="benchmark-secret-not-for-production",
        argon2_time_cost=1,
        argon2_memory_kib=256,
        argon2_parallelism=1,
        outbox_in_process="off",
    )
    database = Database.connect(url)
    upgrade(database.engine)
    database.dispose()
    app = create_app(settings, clock=lambda: TEN)
    hashed = make_hasher(settings).hash(PASSWORD)
    earlier = TEN - timedelta(days=30)
    with app.state.database.session() as db:
        center = Center(name="Benchmark Center", timezone="America/New_York", max_patients_per_nurse=4)
        db.add(center)
        db.flush()

        users = {}
        for name, role in (("nurse", "nurse"), ("scheduler", "scheduler")):
            user = User(
                username=name,
                display_name=name.title(),
                password_hash=hashed,
                role=role,
                center_id=center.id,
                password_changed_at=earlier,
                created_at=earlier,
            )
            db.add(user)
            db.flush()
            users[name] = user.id
        seed_board_day(db, center.id, DAY, users["scheduler"], earlier)
        live = live_day(db, center.id, DAY, TEN)
    return app, live


def _sign_in(client: Any) -> str:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(
        "/login",
        data={"username": "nurse", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    staff = client.get("/staff").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', staff)
    assert found is not None
    return found.group(1)


def _repair_form(rng: random.Random, live: Any) -> dict[str, str]:
    now = live.now
    waiting = [a for a in live.current.assignments if a.start >= now]
    infusing = [
        (a, t)
        for a in live.current.assignments
        for t in a.nurse_tasks
        if t.phase == "infusion" and t.start < now < t.end
    ]
    kinds = ["late-arrival", "no-show", "nurse-leaves", *(["reaction"] if infusing else [])]
    kind = rng.choice(kinds)
    if kind == "late-arrival":
        visit = rng.choice(waiting)
        return {"kind": kind, "appointment_id": visit.appointment[1:], "minutes_late": str(rng.randrange(10, 61, 5))}
    if kind == "no-show":
        return {"kind": kind, "appointment_id": rng.choice(waiting).appointment[1:]}
    if kind == "reaction":
        visit, _task = rng.choice(infusing)
        return {"kind": kind, "appointment_id": visit.appointment[1:], "pause_minutes": str(rng.randrange(10, 31, 5))}
    at = now + rng.randrange(0, 121, 15)
    return {"kind": kind, "nurse": rng.choice(list(live.nurses)), "at_time": f"{at // 60:02d}:{at % 60:02d}"}


def run(events: int, seed: int) -> list[Timing]:
    """Time ``events`` add-ons and ``events`` repairs from the board routes."""
    import warnings

    with warnings.catch_warnings():  # Starlette prefers httpx2 for its test client; httpx works
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from starlette.testclient import TestClient

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        app, live = _world(f"sqlite:///{Path(folder) / 'board.sqlite3'}")
        with TestClient(app) as client:
            token = _sign_in(client)
            patients = [
                int(p)
                for p in re.findall(r'<option value="(\d+)">Board Patient', client.get(f"/staff/board?day={DAY}").text)
            ]
            timings = []
            for kind in ("add-on", "repair"):
                seconds, core, proposed = [], [], 0
                for _ in range(events):
                    if kind == "add-on":
                        later = live.now + rng.randrange(0, 121, 15)
                        form = {
                            "patient_id": str(rng.choice(patients)),
                            "treatment": rng.choice(ADD_ON_TREATMENTS),
                            "earliest": f"{later // 60:02d}:{later % 60:02d}",
                        }
                    else:
                        form = _repair_form(rng, live)
                    started = time.perf_counter()
                    answer = client.post(
                        f"/staff/board/{kind}", data={"csrf_token": token, "day": DAY.isoformat(), **form}
                    )
                    seconds.append(time.perf_counter() - started)
                    proposed += answer.status_code == 200
                    found = re.search(r"Found in ([0-9.]+) s", answer.text)
                    if found:
                        core.append(float(found.group(1)))
                timings.append(Timing(kind, seconds, proposed, core))
    return timings


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.board", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30, help="requests of each kind (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    timings = run(args.events, args.seed)
    print("40-visit day, 14 chairs, 5 nurses, at 10:00; seconds from the POST to the proposal page")
    print("(core: the add-on or repair function alone, as the proposal page reports it)")
    print(
        f"{'request':<10} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8} "
        f"{'core p50':>9} {'core p95':>9} {'core max':>9} {'proposed':>9}"
    )
    for timing in timings:
        print(timing.row())
    print("targets: add-on < 1 s (100-visit day, issue 13), repair < 2 s")

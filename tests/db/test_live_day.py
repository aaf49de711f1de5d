"""The running day as the board re-plans it, on SQLite and PostgreSQL: the accepted run's day without
visits that changed since, a token that changes with every step, and a confirmed re-plan written to the
rows (chairs freed first, so the chair-overlap constraint holds) or refused when the day changed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from msinfusion.db import Database
from msinfusion.db.board_demo import BoardDay, seed_board_day
from msinfusion.db.live_day import DayChanged, NoLiveSchedule, add_on_visit, apply_plan, live_day
from msinfusion.db.models import Appointment, Center, User
from msinfusion.outbox.config import MailConfig
from msinfusion.scheduling.addon import add_on
from msinfusion.scheduling.day import with_catalog_phases

DAY = date(2027, 3, 8)
TEN = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)  # 10:00 in New York
EARLIER = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture
def seeded(database: Database) -> tuple[int, BoardDay]:
    with database.session() as db:
        center = Center(name="Riverside", timezone="America/New_York", max_patients_per_nurse=4)
        db.add(center)
        db.flush()
        user = User(
            username="sched",
            display_name="Sched",
            password_hash="x",
            role="scheduler",
            center_id=center.id,
            password_changed_at=EARLIER,
            created_at=EARLIER,
        )
        db.add(user)
        db.flush()
        return center.id, seed_board_day(db, center.id, DAY, user.id, EARLIER)


def test_the_live_day_is_the_accepted_schedule_without_visits_changed_since(
    database: Database, seeded: tuple[int, BoardDay]
) -> None:
    center_id, board = seeded
    with database.session() as db:
        live = live_day(db, center_id, DAY, TEN)
        assert len(live.day.appointments) == len(live.current.assignments) == board.scheduled
        assert live.now == 600
        cancelled = db.get_one(Appointment, int(live.current.assignments[0].appointment[1:]))
        cancelled.status = "cancelled"
        cancelled.chair_id = None
        db.flush()
        after = live_day(db, center_id, DAY, TEN)
        assert f"A{cancelled.id}" not in {a.id for a in after.day.appointments}
        assert after.token != live.token


def test_a_seated_patient_is_fixed_in_place(database: Database, seeded: tuple[int, BoardDay]) -> None:
    center_id, _ = seeded
    with database.session() as db:
        first = live_day(db, center_id, DAY, TEN).current.assignments[0]
        db.get_one(Appointment, int(first.appointment[1:])).board_state = "checked_in"
        db.flush()
        visit = next(a for a in live_day(db, center_id, DAY, TEN).day.appointments if a.id == first.appointment)
        assert visit.fixed is not None and (visit.fixed.start, visit.fixed.chair) == (first.start, first.chair)


def test_a_past_day_or_a_day_without_an_accepted_schedule_is_not_re_planned(
    database: Database, seeded: tuple[int, BoardDay]
) -> None:
    center_id, _ = seeded
    with database.session() as db, pytest.raises(NoLiveSchedule):
        live_day(db, center_id, DAY, datetime(2027, 3, 9, 15, 0, tzinfo=UTC))
    with database.session() as db, pytest.raises(NoLiveSchedule):
        live_day(db, center_id, date(2027, 3, 15), TEN)


def test_a_confirmed_add_on_is_written_and_a_stale_token_is_refused(
    database: Database, seeded: tuple[int, BoardDay]
) -> None:
    center_id, board = seeded
    with database.session() as db:
        live = live_day(db, center_id, DAY, TEN)
        visit = add_on_visit(db, center_id, board.patient_ids[0], "methylprednisolone-1000", live.now)
        result = add_on(live.day, live.current, visit, live.now, time_limit=0.75)
        assert result.fits and result.placement is not None
        extended = with_catalog_phases(live.day.model_copy(update={"appointments": [*live.day.appointments, visit]}))
        with pytest.raises(DayChanged):
            apply_plan(
                db,
                center_id,
                "stale",
                extended,
                result.schedule,
                TEN,
                MailConfig(signing_secret="test-secret-not-for-production"),
                add_on_patient=board.patient_ids[0],
            )
        rows = apply_plan(
            db,
            center_id,
            live.token,
            extended,
            result.schedule,
            TEN,
            MailConfig(signing_secret="test-secret-not-for-production"),
            add_on_patient=board.patient_ids[0],
        )
        added = max(rows, key=lambda r: r.id)
        assert added.treatment == "methylprednisolone-1000" and added.chair_id is not None
        assert live_day(db, center_id, DAY, TEN).token != live.token
        placed = db.scalars(select(Appointment).where(Appointment.chair_id.is_not(None), Appointment.day == DAY)).all()
        assert len(placed) == board.scheduled + 1

"""A center's planning values: its own where it chose them, else the app settings; the database refuses a
value out of bounds; the columns come and go with revision v0015 and a center keeps its row meanwhile."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from msinfusion.db import Database
from msinfusion.db.center_planning import CenterPlanning, center_planning, planning_bounds, store_planning
from msinfusion.db.migration import downgrade, is_current, upgrade
from msinfusion.db.models import Center
from msinfusion.settings import Settings
from tests.db.db_world import Place

APP = Settings(duration_basis="median", simulation_no_show_rate=0.07, simulation_add_on_rate=0.02)
PLANNING_COLUMNS = {"duration_basis", "no_show_rate", "add_on_rate"}


def test_a_center_that_has_not_chosen_plans_with_the_app_settings(database: Database, place: Place) -> None:
    with database.session() as db:
        planning = center_planning(db, place.center_id, APP)
    assert planning == CenterPlanning("median", 0.07, 0.02, frozenset())
    assert not planning.is_own("duration_basis")


def test_a_centers_own_choice_beats_the_app_setting_one_value_at_a_time(database: Database, place: Place) -> None:
    with database.session() as db:
        store_planning(db, place.center_id, "p80", 0.0, None)
    with database.session() as db:
        planning = center_planning(db, place.center_id, APP)
    assert (planning.duration_basis, planning.no_show_rate, planning.add_on_rate) == ("p80", 0.0, 0.02)
    assert planning.is_own("duration_basis") and planning.is_own("no_show_rate")  # 0 is a choice, not "unset"
    assert not planning.is_own("add_on_rate")


def test_another_center_keeps_the_app_settings(database: Database, place: Place) -> None:
    with database.session() as db:
        other = Center(name="Hillside", timezone="America/New_York", max_patients_per_nurse=4)
        db.add(other)
        db.flush()
        store_planning(db, place.center_id, "label", 0.2, 0.1)
        other_id = other.id
    with database.session() as db:
        assert center_planning(db, other_id, APP).own == frozenset()
        assert center_planning(db, place.center_id, APP).no_show_rate == 0.2


def test_the_rates_bounds_are_the_settings_own() -> None:
    assert planning_bounds("no_show_rate") == (0.0, 1.0)
    assert planning_bounds("add_on_rate") == (0.0, 1.0)


@pytest.mark.parametrize(
    ("column", "value"), [("duration_basis", "'mean'"), ("no_show_rate", "1.5"), ("add_on_rate", "-0.1")]
)
def test_the_database_refuses_a_value_out_of_bounds(database: Database, place: Place, column: str, value: str) -> None:
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(text(f"UPDATE centers SET {column} = {value} WHERE id = :id"), {"id": place.center_id})


def test_revision_v0015_adds_and_drops_the_columns_and_keeps_the_centers(database: Database, place: Place) -> None:
    with database.session() as db:
        store_planning(db, place.center_id, "p80", 0.1, 0.05)
    downgrade(database.engine, "v0016_booking_runs")
    columns = {c["name"] for c in inspect(database.engine).get_columns("centers")}
    assert not PLANNING_COLUMNS & columns
    with database.engine.connect() as connection:  # the center and what refers to it are still there
        assert connection.scalar(text("SELECT name FROM centers WHERE id = :id"), {"id": place.center_id})
        assert connection.scalar(text("SELECT count(*) FROM chairs WHERE center_id = :id"), {"id": place.center_id})
    upgrade(database.engine)
    assert is_current(database.engine)
    assert {c["name"] for c in inspect(database.engine).get_columns("centers")} >= PLANNING_COLUMNS
    with database.session() as db:  # back to "not chosen": the app settings again
        assert center_planning(db, place.center_id, APP).own == frozenset()
        store_planning(db, place.center_id, "median", 0.3, None)  # and the constraints are back in force
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(text("UPDATE centers SET no_show_rate = 2 WHERE id = :id"), {"id": place.center_id})

"""Fixtures for the web tests: a fresh migrated database per test, the app, an in-process client, and a
small world of two centers with one user per role.

``pg_settings`` and the ``postgres`` half of ``db_url`` need PostgreSQL on 127.0.0.1:5432; when it is
unreachable they skip locally and FAIL when ``CI=true``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from msinfusion.db import Database, scratch
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FAST, FakeClock, TestClient, World, build_world


def _sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "app.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def settings_sqlite(tmp_path: Path, sqlite_template: Path) -> Settings:
    return Settings(database_url=_sqlite_copy(sqlite_template, tmp_path), **FAST)


@pytest.fixture
def pg_settings(postgres_url: str) -> Settings:
    database = Database.connect(postgres_url)
    scratch.empty_all_tables(database.engine)
    database.dispose()
    return Settings(database_url=postgres_url, **FAST)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        settings: Settings = request.getfixturevalue("settings_sqlite")
    else:
        settings = request.getfixturevalue("pg_settings")
    return settings.database_url


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Settings on both back-ends (tests using it run twice)."""
    return Settings(database_url=db_url, **FAST)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(settings_sqlite: Settings, clock: FakeClock) -> FastAPI:
    return create_app(settings_sqlite, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def world(app: FastAPI) -> World:
    return build_world(app.state.database, app.state.settings)

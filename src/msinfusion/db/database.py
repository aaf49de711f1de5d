"""The engine and session lifecycle: one :class:`Database` per app (or per test), built from a URL.

SQLite gets the settings that make it a safe single-writer store: WAL, a busy timeout, foreign keys, and
``BEGIN IMMEDIATE`` for every transaction (a deferred ``BEGIN`` that later writes fails with
``SQLITE_BUSY`` regardless of the timeout). PostgreSQL uses psycopg 3.

A transaction that only reads may say so (:meth:`Database.read_session`, :func:`begin_read_only`): on
SQLite it then starts with a deferred ``BEGIN`` and runs beside the writer instead of queueing for the
write lock; on PostgreSQL it is ``READ ONLY``. On both, a write in it fails at once, with or without load.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from msinfusion.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Connection execution option that marks a transaction as read-only (see begin_read_only).
READ_ONLY = "msinfusion_read_only"


def _is_read_only(connection: Any) -> bool:
    return bool(connection.get_execution_options().get(READ_ONLY, False))


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine) -> None:
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transaction start (pysqlite's own BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if _is_read_only(connection):
            # WAL readers see a snapshot and never wait for the writer; query_only makes a stray write an
            # error here rather than a SQLITE_BUSY under load (a deferred BEGIN cannot upgrade safely).
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("PRAGMA query_only = ON")
        else:
            connection.exec_driver_sql("PRAGMA query_only = OFF")  # BEGIN IMMEDIATE fails while it is on
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if _is_read_only(connection):
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the per-back-end settings above."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    _configure_postgresql(engine)
    return engine


def begin_read_only(session: Session) -> None:
    """Start ``session``'s next transaction as read-only; end it with ``commit()`` as usual.

    Only for transactions that never write: one that reads and then writes must keep the default
    (``BEGIN IMMEDIATE`` on SQLite), or it fails with ``SQLITE_BUSY`` whenever another writer got in between.
    """
    if session.in_transaction():
        raise RuntimeError("end the session's current transaction before starting a read-only one")
    session.connection(execution_options={READ_ONLY: True})


@contextmanager
def reading(session: Session) -> Iterator[Session]:
    """A read-only transaction on ``session`` for the block (see :func:`begin_read_only`), ended after it."""
    begin_read_only(session)
    yield session
    session.commit()


SESSION_SETTINGS = ("booking_headroom_default",)
"""Settings the data layer reads from its session (``Session.info``) rather than through every call."""


def session_info(settings: Settings) -> dict[str, object]:
    """What every session of an app or command carries: the :data:`SESSION_SETTINGS` values."""
    return {name: getattr(settings, name) for name in SESSION_SETTINGS}


@dataclass
class Database:
    """An engine and its session factory; ``dispose()`` closes every pooled connection."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str, session_info: dict[str, object] | None = None) -> Database:
        """Connect to ``url``; every session carries ``session_info`` (settings the data layer needs)."""
        engine = make_engine(url)
        return cls(engine, sessionmaker(engine, expire_on_commit=False, info=session_info or {}))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session with one read-only transaction (see :func:`begin_read_only`); writing in it raises."""
        with self.sessions() as session:
            begin_read_only(session)
            yield session
            session.commit()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

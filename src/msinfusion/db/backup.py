"""Online backup and restore of the msinfusion database, with a manifest that proves the copy.

SQLite is copied with SQLite's online backup API in one step, which reads one consistent snapshot while
writers go on (WAL); copying the ``.db`` file alone would miss what is still in the ``-wal`` file.
PostgreSQL is dumped by ``pg_dump --format=custom`` inside an exported snapshot
(``pg_export_snapshot``), so the row counts, checksums and audit-chain heads written to the manifest
(``OUT.manifest.json``) describe exactly what the archive holds, however busy the server is.

A restore refuses a target that holds rows unless forced, replaces the target whole, then takes the
restored database's inventory and verifies its audit chain, and reports every difference from the
manifest. Restores stay within one back-end (a SQLite backup into SQLite, a PostgreSQL archive into
PostgreSQL).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from msinfusion.db import audit, inventory, pg_clients
from msinfusion.db.database import normalise_url
from msinfusion.db.models import AuditEvent

MANIFEST_FORMAT = "msinfusion-backup/1"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_ARCHIVE_MAGIC = b"PGDMP"
_TOOL_TIMEOUT_SECONDS = 6 * 3600


class BackupInputError(ValueError):
    """Bad input: a missing file, a wrong kind of file, a target that holds data; one line for the user."""


class BackupFailed(RuntimeError):
    """The copy itself failed (a client program's error or a database error); one line for the user."""


@dataclass(frozen=True)
class ChainFigures:
    """The audit chain as the copy holds it: entries checked, intact or not, the head of each chain."""

    entries: int
    intact: bool
    heads: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"entries": self.entries, "intact": self.intact, "heads": self.heads}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChainFigures:
        return cls(int(data["entries"]), bool(data["intact"]), {str(k): str(v) for k, v in data["heads"].items()})


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written next to it as ``<backup>.manifest.json``."""

    backend: str
    taken_at: datetime
    inventory: inventory.Inventory
    chain: ChainFigures

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "backend": self.backend,
            "taken_at": self.taken_at.isoformat(),
            "tables": self.inventory.to_json(),
            "audit_chain": self.chain.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != MANIFEST_FORMAT:
            raise BackupInputError(f"unknown manifest format {data.get('format')!r}")
        return cls(
            backend=str(data["backend"]),
            taken_at=datetime.fromisoformat(data["taken_at"]),
            inventory=inventory.Inventory.from_json(data["tables"]),
            chain=ChainFigures.from_json(data["audit_chain"]),
        )


@dataclass(frozen=True)
class RestoreReport:
    """What a restore found: the restored database's figures and every difference from the manifest."""

    manifest: Manifest | None
    inventory: inventory.Inventory
    chain: ChainFigures
    differences: list[str]

    @property
    def ok(self) -> bool:
        return not self.differences


def manifest_path(backup_path: Path) -> Path:
    """Where the manifest of ``backup_path`` lives."""
    return backup_path.with_name(backup_path.name + ".manifest.json")


def _chain_figures(connection: Connection) -> ChainFigures:
    if AuditEvent.__tablename__ not in inventory.table_names(connection):
        return ChainFigures(0, True)
    with Session(bind=connection) as session:
        report = audit.verify(session)
    return ChainFigures(report.checked, report.intact, {str(k): v for k, v in report.heads.items()})


def _figures(connection: Connection, backend: str) -> Manifest:
    return Manifest(backend, datetime.now(UTC), inventory.take(connection), _chain_figures(connection))


def _write_manifest(path: Path, manifest: Manifest) -> None:
    manifest_path(path).write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")


def _read_manifest(path: Path) -> Manifest | None:
    location = manifest_path(path)
    if not location.is_file():
        return None
    try:
        return Manifest.from_json(json.loads(location.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupInputError(f"{location} is not a readable backup manifest ({exc})") from exc


def _backend(url: str) -> str:
    try:
        parsed = make_url(normalise_url(url))
    except Exception as exc:
        raise BackupInputError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupInputError(f"backups support sqlite and postgresql URLs, not {backend}")
    return backend


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupInputError(f"backups need a SQLite file path in the URL, not {url!r}")
    return Path(database)


def _kind_of_file(path: Path) -> str:
    if not path.is_file():
        raise BackupInputError(f"no backup file at {path}")
    with path.open("rb") as handle:
        head = handle.read(len(_SQLITE_MAGIC))
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(_PG_ARCHIVE_MAGIC):
        return "postgresql"
    raise BackupInputError(f"{path} is neither a SQLite database nor a pg_dump custom-format archive")


def _refuse_existing(out: Path) -> None:
    if out.exists():
        raise BackupInputError(f"{out} already exists; choose a new file name")
    if not out.parent.is_dir():
        raise BackupInputError(f"folder {out.parent} does not exist")


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def backup(url: str, out: Path) -> Manifest:
    """Copy the database at ``url`` to ``out`` while it stays in use; write and return the manifest."""
    backend = _backend(url)
    _refuse_existing(out)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        manifest = _backup_sqlite(url, partial) if backend == "sqlite" else _backup_postgresql(url, partial)
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _write_manifest(out, manifest)
    return manifest


def restore(url: str, source: Path, force: bool = False) -> RestoreReport:
    """Replace the database at ``url`` by the backup ``source`` and compare it with the manifest."""
    backend = _backend(url)
    kind = _kind_of_file(source)
    if kind != backend:
        raise BackupInputError(f"{source} is a {kind} backup; restore it into a {kind} database")
    manifest = _read_manifest(source)
    if backend == "sqlite":
        _restore_sqlite(url, source, force)
    else:
        _restore_postgresql(url, source, force)
    with _engine(normalise_url(url)) as engine, engine.connect() as connection:
        found = _figures(connection, backend)
    differences: list[str] = []
    if not found.chain.intact:
        differences.append("the restored audit chain does not verify")
    if manifest is not None:
        differences.extend(manifest.inventory.differences(found.inventory))
        if manifest.chain.heads != found.chain.heads:
            differences.append("the restored audit chain heads differ from the manifest's")
    return RestoreReport(manifest, found.inventory, found.chain, differences)


# --- SQLite ---------------------------------------------------------------------------------------


def _backup_sqlite(url: str, partial: Path) -> Manifest:
    path = _sqlite_file(url)
    if not path.is_file():
        raise BackupInputError(f"no SQLite database at {path}")
    try:
        source = sqlite3.connect(path, timeout=30)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)  # pages=-1: one step, one read snapshot; writers keep going in WAL
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
                (verdict,) = target.execute("PRAGMA integrity_check").fetchone()
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"SQLite backup of {path} failed: {exc}") from exc
    if verdict != "ok":
        raise BackupFailed(f"the copy of {path} fails SQLite's integrity check: {verdict}")
    with _engine(f"sqlite:///{partial}") as engine, engine.connect() as connection:
        return _figures(connection, "sqlite")


def _restore_sqlite(url: str, source: Path, force: bool) -> None:
    target_path = _sqlite_file(url)
    if not target_path.parent.is_dir():
        raise BackupInputError(f"folder {target_path.parent} does not exist")
    try:
        reader = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)
        try:
            (verdict,) = reader.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupInputError(f"{source} fails SQLite's integrity check: {verdict}")
            if target_path.exists() and not force:
                with _engine(f"sqlite:///{target_path}") as engine, engine.connect() as connection:
                    if inventory.holds_rows(connection):
                        raise BackupInputError(
                            f"the database at {target_path} already holds data; pass --force to replace it"
                        )
            writer = sqlite3.connect(target_path, timeout=30)
            try:
                reader.backup(writer)
                writer.execute("PRAGMA journal_mode=WAL")
            finally:
                writer.close()
        finally:
            reader.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"SQLite restore into {target_path} failed: {exc}") from exc


# --- PostgreSQL -----------------------------------------------------------------------------------


@contextmanager
def _conninfo(url: str) -> Iterator[str]:
    """A libpq connection URI for the client programs; a password goes through a private passfile.

    The password never appears on a command line (where ``ps`` shows it) nor in the environment.
    """
    parsed: URL = make_url(normalise_url(url)).set(drivername="postgresql")
    if parsed.password is None:
        yield parsed.render_as_string(hide_password=False)
        return
    with tempfile.TemporaryDirectory(prefix="msinfusion-pg-") as folder:
        passfile = Path(folder) / "pgpass"
        secret = str(parsed.password).replace("\\", "\\\\").replace(":", "\\:")
        passfile.touch(mode=0o600)
        passfile.write_text(f"*:*:*:*:{secret}\n", encoding="utf-8")
        plain = parsed._replace(password=None).update_query_dict({"passfile": str(passfile)})
        yield plain.render_as_string(hide_password=False)


def _one_line(exc: SQLAlchemyError) -> str:
    return " ".join(str(getattr(exc, "orig", None) or exc).split())


def _server_major(connection: Connection) -> int:
    return int(connection.scalar(text("SHOW server_version_num")) or 0) // 10000


def _run(program: Path, args: list[str]) -> str:
    try:
        result = subprocess.run([str(program), *args], capture_output=True, text=True, timeout=_TOOL_TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupFailed(f"{program.name} could not run: {exc}") from exc
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupFailed(f"{program.name} failed: {lines[0] if lines else f'exit {result.returncode}'}")
    return result.stdout


def _client(name: str, server_major: int) -> Path:
    try:
        return pg_clients.find(name, server_major)
    except pg_clients.ClientMissing as exc:
        raise BackupInputError(str(exc)) from exc


def _backup_postgresql(url: str, partial: Path) -> Manifest:
    try:
        with _conninfo(url) as conninfo, _engine(normalise_url(url)) as engine, engine.connect() as connection:
            pg_dump = _client("pg_dump", _server_major(connection))
            connection.rollback()
            snapshot_reader = connection.execution_options(isolation_level="REPEATABLE READ")
            with snapshot_reader.begin():
                snapshot = str(snapshot_reader.scalar(text("SELECT pg_export_snapshot()")))
                # The dump and the manifest read the same snapshot: the manifest describes the archive.
                _run(pg_dump, ["--format=custom", f"--snapshot={snapshot}", f"--file={partial}", conninfo])
                return _figures(snapshot_reader, "postgresql")
    except SQLAlchemyError as exc:
        raise BackupFailed(f"PostgreSQL backup failed: {_one_line(exc)}") from exc


def _check_archive(pg_restore: Path, source: Path) -> None:
    """Read the archive's table of contents before anything is dropped (a newer archive fails here)."""
    try:
        _run(pg_restore, ["--list", str(source)])
    except BackupFailed as exc:
        raise BackupInputError(f"{source} cannot be read: {exc}") from exc


def _restore_postgresql(url: str, source: Path, force: bool) -> None:
    try:
        with _engine(normalise_url(url)) as engine:
            with engine.connect() as connection:
                pg_restore = _client("pg_restore", _server_major(connection))
                if inventory.holds_rows(connection) and not force:
                    raise BackupInputError(
                        f"the database {engine.url.database} already holds data; pass --force to replace it"
                    )
            _check_archive(pg_restore, source)
            with engine.begin() as connection:
                # Replace the target whole: nothing of what was there survives next to the restored data.
                # pg_restore never creates "public" itself (initdb does), so it is made empty here.
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
    except SQLAlchemyError as exc:
        raise BackupFailed(f"PostgreSQL restore failed: {_one_line(exc)}") from exc
    options = ["--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
    with _conninfo(url) as conninfo:
        _run(pg_restore, [*options, f"--dbname={conninfo}", str(source)])

"""Backup drill with figures: back up a busy database on SQLite and PostgreSQL, restore it, compare.

Seeds PATIENTS patients (each with its audit entry), starts 4 writers that keep admitting patients,
takes `backup` while they commit, stops them, restores into a new database and prints, per table, the
rows and checksum of the manifest against the restored copy, and the audit chains. Needs PostgreSQL on
127.0.0.1 for the second half (skipped when unreachable).

Run: `.venv/bin/python -m benchmarks.backup_drill [PATIENTS]`
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError

from msinfusion.db import Database, audit, backup, scratch, upgrade
from msinfusion.db.models import Center, Patient

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
WRITERS = 4


def _admit(database: Database, center_id: int, reference: str) -> None:
    with database.session() as db:
        patient = Patient(center_id=center_id, reference=reference, display_name="Drill", card={"n": reference})
        db.add(patient)
        db.flush()
        audit.record(db, at=T0, action="create", object_type="patient", object_id=patient.id, center_id=center_id)


def drill(source_url: str, target_url: str, out: Path, patients: int) -> None:
    database = Database.connect(source_url)
    upgrade(database.engine)
    with database.session() as db:
        center = Center(name="Drill", timezone="UTC", max_patients_per_nurse=4)
        db.add(center)
        db.flush()
        center_id = center.id
    for index in range(patients):
        _admit(database, center_id, f"S{index}")
    stop, commits = threading.Event(), []

    def write(writer: int) -> None:
        count = 0
        while not stop.is_set():
            _admit(database, center_id, f"W{writer}-{count}")
            commits.append(time.monotonic())
            count += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    began = time.monotonic()
    manifest = backup.backup(source_url, out)
    ended = time.monotonic()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    database.dispose()
    during = sum(began <= at <= ended for at in commits)
    restore_began = time.monotonic()
    report = backup.restore(target_url, out)
    restore_took = time.monotonic() - restore_began
    print(
        f"{manifest.backend}: backup {ended - began:.2f} s while {WRITERS} writers committed {during} times "
        f"({len(commits)} in all); restore {restore_took:.2f} s; matches manifest: {report.ok}"
    )
    empty = [name for name, figures in manifest.inventory.tables.items() if figures.rows == 0]
    for name, expected in sorted(manifest.inventory.tables.items()):
        found = report.inventory.tables[name]
        if expected.rows == 0 and found.rows == 0:
            continue
        print(
            f"  {name:24} rows {expected.rows:6} / {found.rows:6}   "
            f"sha256 {expected.checksum[:16]} / {found.checksum[:16]}"
        )
    print(f"  {len(empty)} more tables empty in both")
    heads = ", ".join(f"{chain}: {head[:12]}" for chain, head in manifest.chain.heads.items())
    print(f"  audit chains in manifest: {manifest.chain.entries} entries, heads {{{heads}}}")
    print(
        f"  restored audit chains:    {report.chain.entries} entries, intact {report.chain.intact}, "
        f"same heads {report.chain.heads == manifest.chain.heads}"
    )


def main(argv: list[str]) -> None:
    patients = int(argv[0]) if argv else 2000
    with tempfile.TemporaryDirectory(prefix="msinfusion-drill-") as folder:
        tmp = Path(folder)
        drill(f"sqlite:///{tmp / 'live.sqlite3'}", f"sqlite:///{tmp / 'restored.sqlite3'}", tmp / "a.sqlite3", patients)
        try:
            source = scratch.create_postgres_database(prefix="msinfusion_bench_drill")
        except OperationalError as exc:
            print(f"postgresql: skipped, unreachable ({exc.orig})")
            return
        target = scratch.create_postgres_database(prefix="msinfusion_bench_drill")
        try:
            drill(source, target, tmp / "a.pgdump", patients)
        finally:
            scratch.drop_postgres_database(source)
            scratch.drop_postgres_database(target)


if __name__ == "__main__":
    main(sys.argv[1:])

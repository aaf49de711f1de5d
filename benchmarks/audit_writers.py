"""50 writers append audit entries at once on PostgreSQL: striped chains against one global lock.

Each writer runs 20 transactions; each appends one entry and then does 5 ms of "page work" (pg_sleep)
before committing, as a page view does. "one lock" takes the advisory lock the single-chain trail of
release 0004 took before every append; "chains" is the current trail. Needs PostgreSQL on 127.0.0.1.

Run: `.venv/bin/python -m benchmarks.audit_writers [WRITERS] [APPENDS]`
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from msinfusion.db import Database, audit, scratch, upgrade
from msinfusion.db.database import normalise_url

_ONE_LOCK_KEY = 0x6D73_6175_6469_74  # the key release 0004 used


def _run(database: Database, writers: int, appends: int, one_lock: bool) -> float:
    start = threading.Barrier(writers + 1)

    def write(writer: int) -> None:
        start.wait()
        for index in range(appends):
            with database.session() as db:
                if one_lock:
                    db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ONE_LOCK_KEY})
                at = datetime.now(UTC)
                audit.record(db, at=at, action="read", object_type="patient", object_id=index, actor_user_id=writer)
                db.execute(text("SELECT pg_sleep(0.005)"))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def main(argv: list[str]) -> None:
    writers = int(argv[0]) if argv else 50
    appends = int(argv[1]) if len(argv) > 1 else 20
    try:
        url = scratch.create_postgres_database(prefix="msinfusion_bench_audit")
    except OperationalError as exc:
        print(f"skipped: PostgreSQL unreachable ({exc.orig})")
        return
    engine = create_engine(normalise_url(url), pool_size=writers, max_overflow=0, pool_timeout=300)
    database = Database(engine, sessionmaker(engine, expire_on_commit=False))
    try:
        upgrade(engine)
        for label, one_lock in (("one lock", True), ("chains", False)):
            scratch.empty_all_tables(engine)
            with engine.begin() as connection:
                audit.open_chains(connection)
            elapsed = _run(database, writers, appends, one_lock)
            with database.session() as db:
                report = audit.verify(db)
            total = writers * appends
            print(
                f"{label:>8}: {writers} writers x {appends} appends in {elapsed:.2f} s "
                f"({total / elapsed:.0f} appends/s), {len(report.heads)} chains used, "
                f"chain {'intact' if report.intact else 'BROKEN'} ({report.checked} entries)"
            )
    finally:
        engine.dispose()
        scratch.drop_postgres_database(url)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Load on the web pages: locust at 50 users on loopback against a fresh demo database, SQLite and PostgreSQL.

python -m benchmarks.web_load [--users 50] [--seconds 60] [--backend sqlite|postgres|both] [--pages patient,day]

Everything stays on 127.0.0.1: a throwaway database (a temporary SQLite file, or a scratch PostgreSQL
database that is dropped afterwards) with the demo center, the app under uvicorn in a subprocess on a
free port, and locust in another subprocess. Not part of ``python -m benchmarks``: it needs its own
long run on a quiet machine.

This module stays import-light (the locust subprocess imports it after gevent has patched the world).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One measured page: who asks for it, where it is, and its p95 target (None: no target)."""

    name: str
    path: str  # may contain {day}: the demo's scheduled day (the first open day from today)
    role: str  # "patient" (patient01..patient40) or "staff" (scheduler and nurse accounts)
    target_p95_ms: float | None


# The pages under load: a patient's "My plan" and the staff day schedule of the demo's scheduled day
# (greedy schedule accepted: chair Gantt, load and nurse charts).
PAGES: tuple[Page, ...] = (
    Page("patient plan", "/patient", "patient", 100.0),
    Page("day schedule", "/staff/schedule?day={day}", "staff", None),
)


def chosen_pages(names: str | None) -> tuple[Page, ...]:
    """The pages named in a comma list (by their first word: "patient", "day"), or every page."""
    if not names:
        return PAGES
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    pages = tuple(p for p in PAGES if p.name.split()[0] in wanted or p.name in wanted)
    if len(pages) != len(wanted):
        raise ValueError(f"--pages: choose from {', '.join(p.name.split()[0] for p in PAGES)}")
    return pages


def main(argv: list[str] | None = None) -> None:
    from benchmarks.web_load.run import main as run

    run(argv)

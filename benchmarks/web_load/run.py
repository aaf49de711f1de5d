"""The whole run: for each back-end, a fresh demo database, the app under uvicorn, locust, one table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date

from benchmarks.web_load import chosen_pages
from benchmarks.web_load.server import REPO_ROOT, fill, fresh_database, served
from benchmarks.web_load.table import LoadRun, format_table

# Two cores shared by the server and locust (which needs most of one core at full tilt): two uvicorn
# workers let the server use both cores when locust idles between think times, without oversubscribing.
DEFAULT_WORKERS = 2


def machine() -> str:
    """nproc, the load average now and the Python and OS in one line."""
    one, five, fifteen = os.getloadavg()
    return (
        f"machine: {os.cpu_count()} cores (nproc), load average {one:.2f} {five:.2f} {fifteen:.2f}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        one, five, fifteen = os.getloadavg()
        return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"


def run_swarm(base_url: str, args: argparse.Namespace, password: str, day: date) -> LoadRun:
    """Run locust in its own process against ``base_url`` and return what it measured."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.web_load.swarm",
        "--host",
        base_url,
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--seconds",
        str(args.seconds),
        "--warmup",
        str(args.warmup),
        "--wait",
        str(args.wait),
        "--day",
        day.isoformat(),
        "--password",
        password,
        "--pages",
        args.pages or "",
    ]
    budget = args.users / args.spawn_rate + 60 + args.warmup + args.seconds + 60
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=budget)
    if done.returncode != 0:
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return LoadRun.from_json(json.loads(done.stdout.strip().splitlines()[-1]))


def report(backend: str, run: LoadRun, args: argparse.Namespace) -> str:
    """The table for one back-end, with what preceded the measured window and any errors."""
    title = (
        f"{backend}: {run.users} users ({run.signed_in} signed in), {run.seconds:.0f} s measured after "
        f"{args.warmup:g} s warm-up, think time {_think(args.wait)}, {args.workers} uvicorn workers"
    )
    lines = [format_table(title, run.pages)]
    lines.append(
        f"  sign-in before measuring: {run.sign_in.requests} tried, {run.sign_in.failures} refused, "
        f"p95 {run.sign_in.p95_ms:.0f} ms"
    )
    lines += [f"  sign-in error: {error}" for error in run.sign_in.errors]
    lines += [f"  error: {error}" for error in run.errors]
    return "\n".join(lines)


def run_backend(backend: str, args: argparse.Namespace) -> LoadRun:
    from msinfusion.db.demo import DEMO_PASSWORD

    with fresh_database(backend) as url:
        began = time.monotonic()
        demo, day = fill(url)
        print(
            f"{backend}: demo data loaded in {time.monotonic() - began:.1f} s "
            f"({demo.patients} patients, {demo.given_doses} given doses, {demo.appointments} booked visits)",
            flush=True,
        )
        with served(url, args.workers) as base_url:
            run = run_swarm(base_url, args, DEMO_PASSWORD, day)
    print(report(backend, run, args), flush=True)
    return run


def _think(wait: float) -> str:
    return "none" if wait <= 0 else f"{wait * 0.5:g}-{wait * 1.5:g} s"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.web_load",
        description="Locust on loopback against the plan and day-schedule pages, on SQLite and/or PostgreSQL.",
    )
    parser.add_argument("--users", type=int, default=50, help="simulated users, shared evenly across the pages")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per back-end")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="uvicorn worker processes")
    parser.add_argument("--wait", type=float, default=1.0, help="mean think time between a user's reads, s (0: none)")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load before measuring")
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="users started (and signed in) per second")
    parser.add_argument("--pages", default=None, help="comma list of pages to load: patient, day (default: both)")
    args = parser.parse_args(argv)
    try:
        pages = chosen_pages(args.pages)
    except ValueError as exc:
        parser.error(str(exc))
    if args.users < len(pages):
        parser.error(f"--users must be at least {len(pages)} (one per page)")

    print(machine())
    print(f"before: {uptime()}", flush=True)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    runs = [run_backend(backend, args) for backend in backends]
    print(f"after: {uptime()}")
    if not all(run.complete for run in runs):
        print("INCOMPLETE: not every user signed in, or a page failed; these figures are not comparable")
        sys.exit(2)
    if any(page.verdict.startswith("MISSED") for run in runs for page in run.pages):
        sys.exit(1)

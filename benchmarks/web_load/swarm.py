"""The load generator: locust as a library, run in its own process (locust's gevent patches the world).

python -m benchmarks.web_load.swarm --host http://127.0.0.1:PORT --users 50 --seconds 60

Each simulated user signs in once (patients as patient01..patient40, staff as the scheduler and the nurse,
in turn), then asks for its page again and again with a think time in between. Users are shared out
evenly across ``PAGES``. Measuring starts only once every user is signed in and a warm-up has passed,
so neither sign-in (Argon2id, on purpose slow) nor ramp-up is in the figures. Prints one JSON line.
(Importing locust lets gevent patch the standard library, so ``time.sleep`` yields to the other users.)
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from urllib.parse import urlencode

from locust import FastHttpUser, User, between, constant
from locust.env import Environment
from locust.stats import StatsEntry

from benchmarks.web_load import Page, chosen_pages
from benchmarks.web_load.table import LoadRun, PageStats, SignIns

SIGN_IN = "sign in"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
SIGN_IN_ATTEMPTS = 5
STAFF_ACCOUNTS = ("scheduler", "nurse")
PATIENT_ACCOUNTS = tuple(f"patient{n:02d}" for n in range(1, 41))


def user_class(page: Page, path: str, password: str, wait_seconds: float) -> type[User]:
    """A locust user that signs in with an account for ``page.role`` and then reads ``path`` repeatedly."""
    accounts = itertools.cycle(PATIENT_ACCOUNTS if page.role == "patient" else STAFF_ACCOUNTS)

    def sign_in(self: FastHttpUser) -> bool:
        form = self.client.get("/login", name="sign-in form")
        found = CSRF_FIELD.search(form.text or "")
        fields = {"username": next(accounts), "password": password, "csrf_token": found.group(1) if found else ""}
        with self.client.post(
            "/login",
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            name=SIGN_IN,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"sign-in answered {response.status_code}")
                return False
        return True

    def on_start(self: FastHttpUser) -> None:
        # Sign-in is slow on purpose (Argon2id) and happens before measuring; a refused one is retried.
        for attempt in range(SIGN_IN_ATTEMPTS):
            if sign_in(self):
                return
            time.sleep(1.0 + attempt)

    def read_page(self: FastHttpUser) -> None:
        # No redirects: an expired session would otherwise count the sign-in page as a success.
        with self.client.get(path, name=page.name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")

    wait = constant(0) if wait_seconds <= 0 else between(wait_seconds * 0.5, wait_seconds * 1.5)
    name = "".join(word.capitalize() for word in re.split(r"\W+", page.name)) + "User"
    return type(name, (FastHttpUser,), {"wait_time": wait, "on_start": on_start, "tasks": [read_page]})


def _signed_in(environment: Environment) -> int:
    entry = environment.stats.entries.get((SIGN_IN, "POST"))
    return 0 if entry is None else entry.num_requests - entry.num_failures


def _page_stats(page: Page, path: str, entry: StatsEntry | None, seconds: float) -> PageStats:
    if entry is None or entry.num_requests == 0:
        return PageStats(page.name, path, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, page.target_p95_ms)
    return PageStats(
        page=page.name,
        path=path,
        requests=entry.num_requests,
        failures=entry.num_failures,
        rps=entry.num_requests / seconds,
        p50_ms=float(entry.get_response_time_percentile(0.50)),
        p95_ms=float(entry.get_response_time_percentile(0.95)),
        p99_ms=float(entry.get_response_time_percentile(0.99)),
        max_ms=float(entry.max_response_time or 0),
        target_p95_ms=page.target_p95_ms,
    )


def _errors(environment: Environment) -> list[str]:
    return sorted({f"{error.name}: {error.error}" for error in environment.stats.errors.values()})[:10]


def swarm(args: argparse.Namespace) -> LoadRun:
    """Run the load and return the per-page figures of the measured window."""
    pages = [(page, page.path.format(day=args.day)) for page in chosen_pages(args.pages)]
    classes = [user_class(page, path, args.password, args.wait) for page, path in pages]
    environment = Environment(user_classes=classes, host=args.host)
    runner = environment.create_local_runner()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    deadline = time.monotonic() + args.users / args.spawn_rate + 60
    while _signed_in(environment) < args.users and time.monotonic() < deadline:
        time.sleep(0.2)
    signed_in = _signed_in(environment)
    sign_in = environment.stats.entries.get((SIGN_IN, "POST"))
    sign_ins = SignIns(
        requests=0 if sign_in is None else sign_in.num_requests,
        failures=0 if sign_in is None else sign_in.num_failures,
        p95_ms=float(sign_in.get_response_time_percentile(0.95)) if sign_in and sign_in.num_requests else 0.0,
        errors=_errors(environment),
    )
    time.sleep(args.warmup)
    environment.stats.reset_all()
    started = time.monotonic()
    time.sleep(args.seconds)
    elapsed = time.monotonic() - started
    rows = [_page_stats(page, path, environment.stats.entries.get((page.name, "GET")), elapsed) for page, path in pages]
    errors = _errors(environment)
    runner.quit()
    return LoadRun(args.users, signed_in, elapsed, sign_ins, rows, errors)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True, help="base URL, e.g. http://127.0.0.1:8123")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds (after warm-up)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds after everyone signed in")
    parser.add_argument("--wait", type=float, default=1.0, help="mean think time between page reads, s (0: none)")
    parser.add_argument("--day", required=True, help="ISO date for {day} in page paths")
    parser.add_argument("--password", required=True)
    parser.add_argument("--pages", default="", help="comma list of pages (default: every page)")
    args = parser.parse_args(argv)
    if not args.host.startswith("http://127.0.0.1:"):
        parser.error("the load stays on loopback: --host must be http://127.0.0.1:PORT")
    print(json.dumps(swarm(args).to_json()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

"""A solve stopped from another thread ends its CP-SAT searches at once, skips the rest, and returns its best
validated schedule; the stop signal reaches every search of the solve, also one begun after the stop."""

from __future__ import annotations

import threading
import time

import pytest

from msinfusion.scheduling import Day, Schedule, make_demo_day, solve
from msinfusion.scheduling.model import Progress
from msinfusion.scheduling.stopping import POLL_SECONDS, StopSignal, carried, register, stop_requested, watching

LONG = 120.0
"""A time limit no test waits for: a solve that ends within the test's timeout was stopped."""


class _Search:
    """Stands for a solver: counts the stops it was asked for."""

    def __init__(self) -> None:
        self.stops = 0

    def stop_search(self) -> None:
        self.stops += 1


def _solve_in_thread(day: Day, signal: StopSignal, **options: object) -> tuple[threading.Thread, dict[str, object]]:
    out: dict[str, object] = {}
    heard = threading.Event()

    def progress(report: Progress) -> None:
        heard.set()  # the greedy schedule (phase 0) comes just before the searches begin

    def run() -> None:
        out["schedule"] = solve(day, time_limit=LONG, workers=2, stop=signal, on_progress=progress, **options)  # type: ignore[arg-type]

    thread = threading.Thread(target=run, name="stopped-solve", daemon=True)
    thread.start()
    out["searching"] = heard
    return thread, out


@pytest.mark.parametrize("search", ["deterministic", "anytime"])
def test_a_stopped_solve_ends_its_search_and_returns_its_best_validated_schedule(search: str) -> None:
    day = make_demo_day(10, 3, 30, seed=1)  # not proven within a minute: the search would use all of LONG
    signal = StopSignal()
    thread, out = _solve_in_thread(day, signal, search=search)
    try:
        begun = out["searching"]
        assert isinstance(begun, threading.Event) and begun.wait(30)
        time.sleep(1.5)  # CP-SAT is at work
        signal.stop()
        thread.join(15)  # measured: 0.02-0.7 s after the stop
        assert not thread.is_alive(), "the solve went on after the stop"
    finally:
        signal.stop()  # (a failed test leaves no solve behind)
        thread.join(LONG)
    schedule = out["schedule"]
    assert isinstance(schedule, Schedule)  # validated inside solve(), like every schedule
    assert schedule.solver.name == "cp-sat" and schedule.solver.seconds < LONG / 2
    greedy = solve(day, solver="greedy")
    assert schedule.objective.scheduled_priority >= greedy.objective.scheduled_priority


def test_a_solve_stopped_before_it_starts_returns_at_once_no_worse_than_greedy() -> None:
    day = make_demo_day(10, 3, 30, seed=1)
    signal = StopSignal()
    signal.stop()
    thread, out = _solve_in_thread(day, signal)
    thread.join(15)
    assert not thread.is_alive()
    schedule = out["schedule"]
    assert isinstance(schedule, Schedule)
    assert schedule.objective.scheduled_priority >= solve(day, solver="greedy").objective.scheduled_priority


def test_a_search_begun_after_the_stop_is_stopped_and_the_asking_ends_with_the_solve() -> None:
    signal, early, late = StopSignal(), _Search(), _Search()
    with watching(signal):
        register(early)
        assert not stop_requested()
        signal.stop()
        assert stop_requested() and signal.stopped
        register(late)  # a later stage's search, after the stop
        time.sleep(10 * POLL_SECONDS)
        assert early.stops >= 1 and late.stops >= 1
    time.sleep(3 * POLL_SECONDS)
    asked = late.stops
    time.sleep(5 * POLL_SECONDS)
    assert late.stops == asked  # the solve returned: nobody asks any more
    assert not stop_requested()


def test_searches_outside_a_watched_solve_or_of_another_solve_are_left_alone() -> None:
    mine, other, alone = StopSignal(), StopSignal(), _Search()
    register(alone)  # no solve watches a signal here
    elsewhere = _Search()
    with watching(other):
        register(elsewhere)
    with watching(mine):
        mine.stop()
        time.sleep(5 * POLL_SECONDS)
    assert alone.stops == 0 and elsewhere.stops == 0 and not other.stopped


def test_a_thread_of_the_solve_carries_its_signal() -> None:
    signal, seen = StopSignal(), []
    with watching(signal):
        signal.stop()
        helper = threading.Thread(target=carried(lambda: seen.append(stop_requested())))
        bare = threading.Thread(target=lambda: seen.append(stop_requested()))
        for thread in (helper, bare):
            thread.start()
            thread.join()
    assert seen == [True, False]  # a plain thread does not inherit it: the solve's threads use `carried`

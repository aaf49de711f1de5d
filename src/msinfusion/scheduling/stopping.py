"""Stopping a solve from another thread: a :class:`StopSignal` handed to :func:`msinfusion.scheduling.solve`.

A solve watches its signal in a context variable (:func:`watching`, set by ``solve``), and every
search it starts registers with it (:func:`register`: `budget.py`'s CP-SAT factories, the few solvers
built directly, SCIP's relaxation). :meth:`StopSignal.stop` asks every registered search to stop,
and goes on asking every `POLL_SECONDS` until the solve returns: a stop asked before a search has
begun goes unheard (CP-SAT's ``stop_search`` only reaches a running search), so a search of a later
stage is stopped as soon as it begins. The stages need not know: each stopped search returns the best
it had, and the solve returns the best validated schedule so far, soon. A loop of many small searches
checks :func:`stop_requested` to end early.

Pure: no I/O, no database, no solver import; whoever holds the signal (a job worker) decides when.
"""

from __future__ import annotations

import contextvars
import functools
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["POLL_SECONDS", "StopSignal", "carried", "register", "stop_requested", "watching"]

POLL_SECONDS = 0.02
"""How often a stopped solve's searches are asked again to stop (a later stage's search runs at most
about this long)."""

T = TypeVar("T")


def _stop_search(search: Any) -> None:
    search.stop_search()


class StopSignal:
    """Asks a solve to stop; :meth:`stop` may be called from any thread, any number of times."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._searches: weakref.WeakKeyDictionary[Any, Callable[[Any], object]] = weakref.WeakKeyDictionary()
        self._solves = 0
        self._poller: threading.Thread | None = None

    @property
    def stopped(self) -> bool:
        """Whether a stop was asked."""
        return self._stopped.is_set()

    def __call__(self) -> bool:
        return self.stopped

    def stop(self) -> None:
        """Stop the solves watching this signal (now, and every search they still start)."""
        self._stopped.set()
        self._start_polling()

    def _register(self, search: Any, stop: Callable[[Any], object]) -> None:
        with self._lock:
            self._searches[search] = stop

    def _begin(self) -> None:
        with self._lock:
            self._solves += 1
        if self.stopped:
            self._start_polling()

    def _end(self) -> None:
        with self._lock:
            self._solves -= 1

    def _start_polling(self) -> None:
        with self._lock:
            if self._solves <= 0 or (self._poller is not None and self._poller.is_alive()):
                return
            self._poller = threading.Thread(target=self._poll, name="solve-stopper", daemon=True)
            self._poller.start()

    def _poll(self) -> None:
        while True:
            with self._lock:
                if self._solves <= 0:
                    return
                searches = list(self._searches.items())
            for search, stop in searches:
                stop(search)
            del searches  # (the registry holds them weakly: a finished search may go)
            time.sleep(POLL_SECONDS)


_current: ContextVar[StopSignal | None] = ContextVar("msinfusion_stop_signal", default=None)


@contextmanager
def watching(signal: StopSignal | None) -> Iterator[None]:
    """Within the block, searches started in this thread register with `signal` (None: no signal)."""
    if signal is None:
        yield
        return
    token = _current.set(signal)
    signal._begin()
    try:
        yield
    finally:
        signal._end()
        _current.reset(token)


def register(search: T, stop: Callable[[T], object] = _stop_search) -> T:
    """Let the watched signal, if any, stop `search` (a CP-SAT solver by default: its ``stop_search``;
    `stop` for another kind); returns `search`. Kept only while the search is alive."""
    signal = _current.get()
    if signal is not None:
        signal._register(search, stop)
    return search


def carried(function: Callable[[], T]) -> Callable[[], T]:
    """`function`, to run in another thread of the same solve: its searches register with this
    thread's signal (a new thread does not inherit context variables)."""
    return functools.partial(contextvars.copy_context().run, function)


def stop_requested() -> bool:
    """Whether the solve running in this thread was asked to stop."""
    signal = _current.get()
    return signal is not None and signal.stopped

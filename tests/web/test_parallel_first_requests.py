"""A fresh app answers its first requests from many threads at once with the route they name, never a 404.

FastAPI 0.137.0 to 0.139.1 built each included router's route list lazily on first use, without a lock:
requests that arrived together from several threads (each TestClient runs its own event loop thread,
as the race tests do) could see a half-built list and get 404 for a route that exists. That was the
404 once seen among three simultaneous identical dose records; pyproject now requires FastAPI 0.139.2.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FAST, TestClient

APPS = 3
THREADS = 8
# Routes from routers included early and late; none needs a session, so only routing decides the answer.
URLS = ("/api/patients", "/unsubscribe/not-a-token", "/api/schedule/status?day=2027-03-08", "/login")


@pytest.fixture
def tight_switching() -> Iterator[None]:
    """Switch threads as often as possible, so a window between building and publishing a list is hit."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("tight_switching")
def test_the_first_requests_of_a_fresh_app_from_many_threads_all_reach_their_route(
    tmp_path: Path, sqlite_template: Path
) -> None:
    seen: list[tuple[str, int]] = []
    for number in range(APPS):
        target = tmp_path / f"app{number}.sqlite3"
        target.write_bytes(sqlite_template.read_bytes())
        app = create_app(Settings(database_url=f"sqlite:///{target}", **FAST))
        clients = [TestClient(app, raise_server_exceptions=False) for _ in range(THREADS)]
        barrier = threading.Barrier(THREADS)

        def first_request(index: int, client: TestClient, barrier: threading.Barrier = barrier) -> None:
            url = URLS[index % len(URLS)]
            barrier.wait()
            seen.append((url, client.get(url, follow_redirects=False).status_code))

        threads = [threading.Thread(target=first_request, args=(i, c)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        app.state.schedule_runner.shutdown()
        app.state.database.dispose()
    assert len(seen) == APPS * THREADS
    assert [answer for answer in seen if answer[1] == 404] == []
    assert {code for url, code in seen if url == "/api/patients"} == {401}

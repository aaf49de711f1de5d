"""Server-side sessions: checked on every request, written only when they must be refreshed or ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from msinfusion.db.models import WebSession
from tests.web.web_world import FakeClock, TestClient, World, sign_in


def last_seen(client: TestClient) -> datetime:
    with client.app.state.database.read_session() as db:  # type: ignore[attr-defined]
        seen: datetime = db.scalars(select(WebSession.last_seen_at)).one()
        return seen


def test_requests_within_a_minute_do_not_write_and_later_ones_refresh_last_seen(
    client: TestClient, world: World, clock: FakeClock
) -> None:
    sign_in(client, "nurse_a")
    signed_in_at = last_seen(client)
    clock.advance(seconds=30)
    assert client.get("/api/me").status_code == 200
    assert last_seen(client) == signed_in_at
    clock.advance(seconds=45)
    assert client.get("/api/me").status_code == 200
    assert last_seen(client) > signed_in_at


def test_an_idle_session_is_ended_on_the_server_when_it_is_next_used(
    client: TestClient, world: World, clock: FakeClock
) -> None:
    sign_in(client, "nurse_a")
    clock.advance(minutes=31)
    assert client.get("/api/me").status_code == 401
    with client.app.state.database.read_session() as db:  # type: ignore[attr-defined]
        assert db.scalars(select(WebSession.revoked_at)).one() is not None

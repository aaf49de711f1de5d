"""Sign-in throttling per account and address, and the lock after many consecutive failures."""

from __future__ import annotations

from sqlalchemy import func, select

from msinfusion.db.models import LoginAttempt, User
from tests.web.web_world import TestClient, World, sign_in


def _from(client: TestClient, address: str) -> TestClient:
    return TestClient(client.app, client=(address, 50000))


def test_after_five_failures_even_the_right_password_waits(client: TestClient, world: World) -> None:
    for _ in range(5):
        assert sign_in(client, "nurse_a", "wrong-password-here").status_code == 400
    assert sign_in(client, "nurse_a").status_code == 429
    assert sign_in(client, "nurse_a", "wrong-password-here").status_code == 429


def test_unknown_accounts_are_throttled_the_same_way(client: TestClient, world: World) -> None:
    for _ in range(5):
        sign_in(client, "nobody", "wrong-password-here")
    assert sign_in(client, "nobody", "wrong-password-here").status_code == 429


def test_the_right_password_from_another_address_still_works(client: TestClient, world: World) -> None:
    for _ in range(5):
        sign_in(client, "nurse_a", "wrong-password-here")
    assert sign_in(_from(client, "10.0.0.9"), "nurse_a").status_code == 303


def test_the_window_passes(client: TestClient, world: World, clock: object) -> None:
    for _ in range(5):
        sign_in(client, "nurse_a", "wrong-password-here")
    clock.advance(minutes=16)  # type: ignore[attr-defined]
    assert sign_in(client, "nurse_a").status_code == 303


def test_one_address_failing_for_many_accounts_is_throttled(client: TestClient, world: World) -> None:
    for index in range(50):
        sign_in(client, f"guess{index}", "wrong-password-here")
    assert sign_in(client, "nurse_a").status_code == 429


def test_many_consecutive_failures_lock_the_account(client: TestClient, world: World, clock: object) -> None:
    for index in range(50):
        sign_in(_from(client, f"10.1.{index}.1"), "nurse_a", "wrong-password-here")
    assert sign_in(_from(client, "10.2.0.1"), "nurse_a").status_code == 400
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        user = db.scalar(select(User).where(User.username == "nurse_a"))
        assert user is not None and user.locked_at is not None
        assert db.scalar(select(func.count()).select_from(LoginAttempt)) == 51


def test_every_attempt_is_recorded(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a", "wrong-password-here")
    sign_in(client, "nurse_a")
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        outcomes = db.scalars(select(LoginAttempt.success).order_by(LoginAttempt.id)).all()
    assert outcomes == [False, True]

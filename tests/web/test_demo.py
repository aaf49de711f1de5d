"""The demo accounts sign in with the password the README and `msinfusion serve --demo` print."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI

from msinfusion.db.demo import DEMO_PASSWORD, load_demo
from tests.web.web_world import TestClient, sign_in


def test_demo_accounts_sign_in(app: FastAPI, client: TestClient) -> None:
    load_demo(app.state.database, app.state.settings, today=date(2027, 3, 1))
    app.state.clock.now = app.state.clock.now.replace(year=2099)  # accounts were created "now"
    for username in ("admin", "scheduler", "nurse", "patient01", "patient40"):
        assert sign_in(client, username, DEMO_PASSWORD).status_code == 303, username
        client.cookies.clear()

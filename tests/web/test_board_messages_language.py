"""The live day's notes and warnings (what an event did, what an add-on alternative costs) follow the nurse's
language on the board's proposal pages (issue 12)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from msinfusion.db.board_demo import BoardDay
from tests.web.test_staff_board_live import DAY, board_day  # noqa: F401 - the seeded board day fixture
from tests.web.web_world import TestClient, csrf_token, sign_in


def _nurse(app: FastAPI, language: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False, headers={"Accept-Language": language})
    assert sign_in(client, "nurse_a").status_code == 303
    return client


def _nurse_leaves(client: TestClient) -> Any:
    form = {"day": DAY.isoformat(), "kind": "nurse-leaves", "nurse": "N2", "at_time": "13:00"}
    answer = client.post("/staff/board/repair", data={"csrf_token": csrf_token(client, "/staff"), **form})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_a_repairs_notes_show_in_spanish_on_a_spanish_page(app: FastAPI, board_day: BoardDay) -> None:  # noqa: F811
    spanish = _nurse_leaves(_nurse(app, "es"))
    assert "enfermera N2: se va a las 13:00" in spanish
    assert "leaves at" not in spanish
    assert "nurse N2: leaves at 13:00" in _nurse_leaves(_nurse(app, "en"))

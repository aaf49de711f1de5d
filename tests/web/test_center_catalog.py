"""A center's recorded overrides and stored profile reach every page that computes from a therapy."""

from __future__ import annotations

from datetime import date

from msinfusion.center import demo_center
from msinfusion.db.center_catalog import center_catalog
from msinfusion.db.day_schedule.day import build_day
from msinfusion.db.models import Center
from tests.web.web_world import TestClient, World, csrf_token, sign_in


def _override(client: TestClient, therapy: str, field: str, value: str) -> int:
    token = csrf_token(client, "/staff/catalog")
    data = {"field": field, "value": value, "reason": "local protocol", "csrf_token": token}
    return int(client.post(f"/staff/catalog/{therapy}/overrides", data=data, follow_redirects=False).status_code)


def test_an_override_changes_the_center_phases_and_the_day_to_schedule(client: TestClient, world: World) -> None:
    sign_in(client, "admin_a")
    assert _override(client, "ocrelizumab-iv", "observation[0].minutes", "90") == 303
    database = client.app.state.database  # type: ignore[attr-defined]
    with database.session() as db:
        catalog = center_catalog(db, world.centers["a"])
        assert catalog.therapy("ocrelizumab").observation[0].minutes.value == 90
        assert [p.minutes for p in catalog.phases("ocrelizumab-300") if p.name == "observation"] == [90]
        other = center_catalog(db, world.centers["b"]).phases("ocrelizumab-300")
        assert [p.minutes for p in other if p.name == "observation"] == [60]  # center B keeps the label value
        day = build_day(db, world.centers["a"], date(2027, 3, 8)).day  # what the optimizer is given
        observation = [p.minutes for a in day.appointments for p in a.phases or [] if p.name == "observation"]
        assert observation and set(observation) == {90}


def test_an_override_that_does_not_fit_the_value_is_refused(client: TestClient, world: World) -> None:
    sign_in(client, "admin_a")
    assert _override(client, "ocrelizumab-iv", "min_interval", "soon") == 422
    assert (
        _override(client, "ocrelizumab-iv", "min_interval", "22 weeks") == 303
    )  # longer than the catalog's 5 months: no reason needed


def test_the_plan_uses_the_stored_center_profile(client: TestClient, world: World) -> None:
    database = client.app.state.database  # type: ignore[attr-defined]
    stored = demo_center().model_copy(update={"name": "ignored", "arrive_early_minutes": 30})
    payload = stored.model_dump(mode="json")
    payload["address"]["lines"] = ["1 Harbor Way"]
    with database.session() as db:
        db.get_one(Center, world.centers["a"]).profile = payload
    with database.session() as db:
        profile = center_catalog(db, world.centers["a"]).profile
        assert profile.name == "Center A"  # the name, zone and hours come from the center's own columns
        assert profile.arrive_early_minutes == 30
    sign_in(client, "patient_a1")
    assert "1 Harbor Way" in client.get("/patient").text


def test_the_same_inputs_reuse_the_built_plan_and_a_new_override_does_not(client: TestClient, world: World) -> None:
    from msinfusion.db.patient_plan import _memo_plan

    sign_in(client, "patient_a1")
    _memo_plan.cache_clear()
    first = client.get("/patient").text
    client.get("/patient")
    assert _memo_plan.cache_info().hits >= 1
    sign_in(client, "admin_a")
    assert _override(client, "ocrelizumab-iv", "observation[0].minutes", "90") == 303
    sign_in(client, "patient_a1")
    second = client.get("/patient").text
    assert "1 hour 30 minutes" in second and "1 hour 30 minutes" not in first

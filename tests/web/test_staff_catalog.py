"""Staff see the catalog with sources and review flags; an admin's override is recorded per center."""

from __future__ import annotations

from sqlalchemy import select

from msinfusion.db.models import AuditEvent, CatalogOverride
from msinfusion.therapies import load_catalog, review_items
from tests.web.web_world import TestClient, World, csrf_token, sign_in


def _override(client: TestClient, field: str, value: str, reason: str = "local protocol") -> int:
    token = csrf_token(client, "/staff/catalog")
    data = {"field": field, "value": value, "reason": reason, "csrf_token": token}
    return int(client.post("/staff/catalog/ocrelizumab-iv/overrides", data=data, follow_redirects=False).status_code)


def test_catalog_lists_every_therapy_with_its_review_count(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    page = client.get("/staff/catalog").text
    for therapy in load_catalog():
        assert therapy.name in page
    api = {t["id"]: t for t in client.get("/api/therapies").json()}
    counts: dict[str, int] = {}
    for item in review_items(load_catalog()):
        if item.path != "missed_dose":
            counts[item.therapy] = counts.get(item.therapy, 0) + 1
    assert {tid: t["needs_review"] for tid, t in api.items() if t["needs_review"]} == counts


def test_therapy_page_shows_sources_and_flags_unconfirmed_values(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    item = next(i for i in review_items(load_catalog()) if i.path != "missed_dose")
    therapy = load_catalog().get(item.therapy)
    page = client.get(f"/staff/catalog/{therapy.id}").text
    assert "Needs review" in page
    for source_id in therapy.sources:
        assert f"<dt>{source_id}</dt>" in page
    assert "Record the change" not in page  # only admins change values


def test_unknown_therapy_is_not_found(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    assert client.get("/staff/catalog/aspirin").status_code == 404
    assert client.get("/api/therapies/aspirin").status_code == 404


def test_an_admin_override_is_recorded_with_who_when_old_and_new(client: TestClient, world: World) -> None:
    sign_in(client, "admin_a")
    assert _override(client, "infusions.initial.volume_ml", "300") == 303
    detail = client.get("/api/therapies/ocrelizumab-iv").json()
    fact = next(f for f in detail["facts"] if f["path"] == "infusions.initial.volume_ml")
    assert fact["value"] == "250" and fact["override"] == "300"
    [change] = detail["history"]
    assert change["old_value"] == 250 and change["new_value"] == 300 and change["by"] == "Admin A"
    assert _override(client, "infusions.initial.volume_ml", "", "back to the label") == 303
    detail = client.get("/api/therapies/ocrelizumab-iv").json()
    assert next(f for f in detail["facts"] if f["path"] == "infusions.initial.volume_ml")["override"] is None
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        assert len(db.scalars(select(CatalogOverride)).all()) == 2
        audited = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "catalog_override")).all()
        assert len(audited) == 2 and all(e.actor_user_id == world.users["admin_a"] for e in audited)


def test_overrides_stay_at_their_center(app: object, client: TestClient, world: World) -> None:
    sign_in(client, "admin_a")
    _override(client, "infusions.initial.volume_ml", "300")
    other = TestClient(client.app)
    sign_in(other, "admin_b")
    detail = other.get("/api/therapies/ocrelizumab-iv").json()
    assert detail["history"] == []
    assert all(f["override"] is None for f in detail["facts"])


def test_bad_overrides_are_refused(client: TestClient, world: World) -> None:
    sign_in(client, "admin_a")
    assert _override(client, "no.such.value", "1") == 422
    assert _override(client, "infusions.initial.volume_ml", "lots") == 422
    assert _override(client, "infusions.initial.volume_ml", "300", reason="") == 422


def test_schedulers_cannot_override(client: TestClient, world: World) -> None:
    sign_in(client, "scheduler_a")
    assert _override(client, "infusions.initial.volume_ml", "300") == 403

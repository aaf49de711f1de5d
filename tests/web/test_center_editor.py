"""The center editor (admin): weekday hours, nurse shifts, chairs and features, closed days, headroom,
how far ahead the engine books and how the center plans its days, saved all together (422 naming the
field, nothing half-saved; 409 on a stale page), versioned and audited, and used by the booking engine."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db import bookings
from msinfusion.db.booking_models import CenterBookingSettings
from msinfusion.db.models import AuditEvent, Center, CenterHours, Chair, Nurse
from msinfusion.settings import Settings
from msinfusion.visits import phases_for_treatment
from msinfusion.web import create_app
from tests.web.booking_helpers import book_regimen, editor_form, save_editor, visits
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in


@pytest.fixture
def admin(settings: Settings, clock: FakeClock) -> Iterator[tuple[FastAPI, TestClient, World]]:
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(app.state.database, app.state.settings)
        open_weekdays(app.state.database, world)
        sign_in(client, "admin_a")
        yield app, client, world


def _chairs(app: FastAPI, world: World) -> dict[str, list[str]]:
    with app.state.database.session() as db:
        rows = db.scalars(select(Chair).where(Chair.center_id == world.centers["a"])).all()
        return {c.code: list(c.features) for c in rows}


def test_an_admin_opens_saturdays_adds_a_nurse_and_a_chair_and_the_engine_uses_them(
    admin: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = admin
    form = editor_form(client)
    assert form["opens-0"] == ["07:00"] and form["opens-5"] == [""]
    new_nurse = len([k for k in form if k.startswith("nurse-code-")]) - 2  # the first "add a nurse" row
    new_chair = len([k for k in form if k.startswith("chair-code-")]) - 2
    form.update(
        {
            "opens-5": ["08:00"],
            "closes-5": ["13:00"],
            f"nurse-code-{new_nurse}": ["N3"],
            f"nurse-name-{new_nurse}": ["Nurse Three"],
            f"nurse-{new_nurse}-starts": ["08:00"],
            f"nurse-{new_nurse}-ends": ["13:00"],
            f"nurse-{new_nurse}-days": ["5"],
            f"chair-code-{new_chair}": ["C09"],
            f"chair-features-{new_chair}": ["Bed, monitor"],
            "horizon_days": ["180"],
        }
    )
    saved = save_editor(client, form)
    assert saved.status_code == 303, saved.text  # type: ignore[attr-defined]
    assert _chairs(app, world)["C09"] == ["bed", "monitor"]
    with app.state.database.session() as db:
        saturday = db.scalar(
            select(CenterHours).where(CenterHours.center_id == world.centers["a"], CenterHours.weekday == 5)
        )
        assert saturday is not None and (saturday.opens.hour, saturday.closes.hour) == (8, 13)
        nurse = db.scalars(select(Nurse).where(Nurse.code == "N3")).one()
        assert [s.weekday for s in nurse.shifts] == [5]
        own = db.get_one(CenterBookingSettings, world.centers["a"])
        assert own.horizon_days == 180 and own.version == 1
        fields = bookings.center_fields(db, world.centers["a"])
        assert fields["week"]["sat"] == {
            "opens": "08:00",
            "closes": "13:00",
            "nurses": [{"id": "N3", "shift_start": "08:00", "shift_end": "13:00"}],
        }
        [event] = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.object_type == "center_booking_settings")
        ).all()
        assert "C09" in event.details["chairs"] and "N3" in event.details["nurses"]
    page = client.get("/staff/center/booking").text
    assert 'value="C09"' in page and 'value="bed, monitor"' in page
    client.cookies.clear()
    sign_in(client, "scheduler_a")
    book_regimen(client, world.prescriptions["a1"])
    last = visits(app, world.prescriptions["a1"])[-1]
    assert (last.day - visits(app, world.prescriptions["a1"])[0].day).days <= 180  # the new horizon


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("closes-0", "06:00", "Monday: the center must close after it opens."),
        ("opens-6", "09:00", "Sunday: give both opening and closing times, or neither."),
        ("headroom", "150", "Headroom: from 0 up to (not including) 100 %."),
        ("horizon_days", "3", "Book ahead: a number of days from 28 to 730."),
        ("closures", "soon", "Closed days: write one date a line"),
        ("chair-features-0", "a bed!", "features are short words"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_half_saved(
    admin: tuple[FastAPI, TestClient, World], field: str, value: str, named: str
) -> None:
    app, client, world = admin
    form = editor_form(client)
    new_chair = len([k for k in form if k.startswith("chair-code-")]) - 2
    form.update({f"chair-code-{new_chair}": ["C77"], f"chair-features-{new_chair}": ["bed"], field: [value]})
    response = save_editor(client, form)
    assert response.status_code == 422 and named in response.text  # type: ignore[attr-defined]
    assert 'aria-invalid="true"' in response.text  # type: ignore[attr-defined]
    assert "C77" not in _chairs(app, world)
    with app.state.database.session() as db:
        assert db.get(CenterBookingSettings, world.centers["a"]) is None


def test_a_stale_page_is_refused_with_409(admin: tuple[FastAPI, TestClient, World]) -> None:
    _app, client, _world = admin
    form = editor_form(client)
    assert save_editor(client, form).status_code == 303  # type: ignore[attr-defined]
    stale = save_editor(client, {**form, "headroom": ["15"]})
    assert stale.status_code == 409  # type: ignore[attr-defined]
    assert 'value="10"' in client.get("/staff/center/booking").text


def test_a_chair_with_visits_on_record_is_not_removed(admin: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = admin
    client.cookies.clear()
    sign_in(client, "scheduler_a")
    book_regimen(client, world.prescriptions["a1"])
    client.cookies.clear()
    sign_in(client, "admin_a")
    used = {v.chair_id for v in visits(app, world.prescriptions["a1"])}
    form = editor_form(client)
    with app.state.database.session() as db:
        codes = {c.id: c.code for c in db.scalars(select(Chair))}
    index = next(i for i in range(10) if form.get(f"chair-code-{i}", [""])[0] in {codes[c] for c in used if c})
    response = save_editor(client, {**form, f"chair-remove-{index}": ["yes"]})
    assert response.status_code == 422 and "has visits on record" in response.text  # type: ignore[attr-defined]
    assert form[f"chair-code-{index}"][0] in _chairs(app, world)


def test_the_engine_books_the_centers_own_visit_length_after_an_admin_override(
    admin: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = admin
    data = {"field": "infusions.initial.volume_ml", "value": "300", "reason": "local protocol"}
    token = csrf_token(client, "/staff/catalog")
    overridden = client.post("/staff/catalog/ocrelizumab-iv/overrides", data={**data, "csrf_token": token})
    assert overridden.status_code in (200, 303)
    client.cookies.clear()
    sign_in(client, "scheduler_a")
    book_regimen(client, world.prescriptions["a1"])
    first = visits(app, world.prescriptions["a1"])[0]
    assert first.starts_at is not None and first.ends_at is not None
    booked_minutes = (first.ends_at - first.starts_at).total_seconds() / 60
    catalog_minutes = sum(p.minutes for p in phases_for_treatment(first.treatment))
    with app.state.database.session() as db:
        center_minutes = bookings.span(db, world.centers["a"], first.treatment)
        assert first.treatment in bookings.center_fields(db, world.centers["a"])["visits"]
    assert booked_minutes == center_minutes > catalog_minutes  # 300 mL at the label's rates takes longer


def test_a_center_without_its_own_headroom_books_with_the_setting(settings: Settings, clock: FakeClock) -> None:
    app = create_app(settings.model_copy(update={"booking_headroom_default": 0.25}), clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(app.state.database, app.state.settings)
        open_weekdays(app.state.database, world)
        sign_in(client, "admin_a")
        with app.state.database.session() as db:
            assert db.get(CenterBookingSettings, world.centers["a"]) is None
            assert bookings.center_fields(db, world.centers["a"])["headroom"] == 0.25
            assert bookings.booking_center(db, world.centers["a"]).headroom == 0.25
        assert editor_form(client)["headroom"] == ["25"]


def test_an_admin_chooses_the_centers_planning_and_empties_it_back_to_the_app_default(
    admin: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = admin
    form = editor_form(client)
    assert form["duration_basis"] == [""] and form["no_show_rate"] == [""] and form["add_on_rate"] == [""]
    page = client.get("/staff/center/booking").text
    assert "The app default (now the label timeline)" in page and "Empty: the app default, now 5 %." in page
    assert "The label timeline is always the minimum" in page
    saved = save_editor(client, {**form, "duration_basis": ["p80"], "no_show_rate": ["12,5"], "add_on_rate": ["3"]})
    assert saved.status_code == 303  # type: ignore[attr-defined]
    with app.state.database.session() as db:
        center = db.get_one(Center, world.centers["a"])
        assert (center.duration_basis, center.no_show_rate, center.add_on_rate) == ("p80", 0.125, 0.03)
        assert db.get_one(Center, world.centers["b"]).duration_basis is None  # only the admin's own center
        [event] = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.object_type == "center_booking_settings")
        ).all()
        assert event.details["duration_basis"] == "p80" and event.details["no_show_rate"] == 0.125
    again = editor_form(client)
    assert again["duration_basis"] == ["p80"] and again["no_show_rate"] == ["12.5"] and again["add_on_rate"] == ["3"]
    emptied = save_editor(client, {**again, "duration_basis": [""], "no_show_rate": [""], "add_on_rate": [""]})
    assert emptied.status_code == 303  # type: ignore[attr-defined]
    with app.state.database.session() as db:
        center = db.get_one(Center, world.centers["a"])
        assert (center.duration_basis, center.no_show_rate, center.add_on_rate) == (None, None, None)
        assert db.get_one(CenterBookingSettings, world.centers["a"]).version == 2


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("duration_basis", "mean", "Visit times: choose what the day schedule plans with."),
        ("no_show_rate", "101", "No-shows: a percentage from 0 to 100, or empty for the app default."),
        ("no_show_rate", "-1", "No-shows: a percentage from 0 to 100"),
        ("no_show_rate", "nan", "No-shows: a percentage from 0 to 100"),
        ("add_on_rate", "a few", "Add-ons: a number from 0 to 100 per 100 booked visits"),
    ],
)
def test_a_wrong_planning_value_is_named_and_nothing_is_saved(
    admin: tuple[FastAPI, TestClient, World], field: str, value: str, named: str
) -> None:
    app, client, world = admin
    form = editor_form(client)
    form.update({"opens-5": ["08:00"], "closes-5": ["13:00"], "no_show_rate": ["20"], field: [value]})
    response = save_editor(client, form)
    assert response.status_code == 422 and named in response.text  # type: ignore[attr-defined]
    invalid = re.search(rf'<input [^>]*name="{field}"[^>]*>', response.text)  # type: ignore[attr-defined]
    assert invalid is not None and 'aria-invalid="true"' in invalid.group(0)
    with app.state.database.session() as db:
        assert db.get_one(Center, world.centers["a"]).no_show_rate is None
        assert db.get(CenterBookingSettings, world.centers["a"]) is None
        assert (
            db.scalar(select(CenterHours).where(CenterHours.center_id == world.centers["a"], CenterHours.weekday == 5))
            is None
        )


def test_a_planning_change_from_a_stale_page_is_refused_with_409(admin: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = admin
    form = editor_form(client)
    assert save_editor(client, {**form, "no_show_rate": ["8"]}).status_code == 303  # type: ignore[attr-defined]
    stale = save_editor(client, {**form, "duration_basis": ["median"], "no_show_rate": ["30"]})
    assert stale.status_code == 409  # type: ignore[attr-defined]
    with app.state.database.session() as db:
        center = db.get_one(Center, world.centers["a"])
        assert (center.duration_basis, center.no_show_rate) == (None, 0.08)


def test_a_wrong_planning_value_is_named_in_spanish_for_a_spanish_admin(
    admin: tuple[FastAPI, TestClient, World],
) -> None:
    _app, client, _world = admin
    form = editor_form(client)
    client.headers["Accept-Language"] = "es-ES,es;q=0.9"  # an account without a language follows the browser
    response = save_editor(client, {**form, "add_on_rate": ["500"]})
    assert response.status_code == 422  # type: ignore[attr-defined]
    spanish = "Visitas agregadas: un número de 0 a 100 por cada 100 visitas reservadas"
    assert spanish in response.text  # type: ignore[attr-defined]

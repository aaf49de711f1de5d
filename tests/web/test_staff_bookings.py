"""Staff book whole regimens, move and cancel visits, and stop or edit prescriptions; the patient sees it all.

Run on SQLite and PostgreSQL: every change writes appointments under the no-double-booking constraints.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db.booking_models import PrescriptionChange, VisitChange
from msinfusion.db.models import Appointment, AuditEvent, Prescription
from msinfusion.regimens import dose_calendar
from msinfusion.settings import Settings
from msinfusion.therapies import load_catalog
from msinfusion.web import create_app
from tests.web.booking_helpers import book_regimen, confirm_fields, editor_form, plan_of, plan_regimen, save_editor
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in


@pytest.fixture
def both(settings: Settings, clock: FakeClock) -> Iterator[tuple[FastAPI, TestClient, World]]:
    """The app on each back-end, center A open on weekdays, a scheduler signed in."""
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(app.state.database, app.state.settings)
        open_weekdays(app.state.database, world)
        sign_in(client, "scheduler_a")
        yield app, client, world


def _post(client: TestClient, url: str, data: Mapping[str, object]) -> object:
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/staff")}, follow_redirects=False)


def _proposal(client: TestClient, prescription_id: int) -> list[str]:
    return plan_of(plan_regimen(client, prescription_id).text)


def _book(client: TestClient, prescription_id: int) -> list[str]:
    return book_regimen(client, prescription_id)


def _visits(app: FastAPI, prescription_id: int) -> list[Appointment]:
    with app.state.database.session() as db:
        return list(
            db.scalars(
                select(Appointment)
                .where(Appointment.prescription_id == prescription_id)
                .order_by(Appointment.day, Appointment.id)
            )
        )


def test_booking_a_regimen_previews_then_writes_each_dose_inside_its_window(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    proposal = _book(client, rx)
    visits = _visits(app, rx)
    assert [f"{v.dose_index}:{v.day.isoformat()}" for v in visits] == [p.rsplit(":", 3)[0] for p in proposal]
    assert all(v.starts_at is not None and v.chair_id is not None for v in visits)
    calendar = dose_calendar(
        load_catalog().get("ocrelizumab-iv"), date(2027, 3, 8), date(2028, 3, 1), [v.day for v in visits]
    )
    assert not calendar.warnings
    for dose in calendar.doses:
        assert dose.window.start <= dose.date <= dose.window.end
    with app.state.database.session() as db:
        events = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "booking")).all()
        assert [(e.action, e.outcome) for e in events] == [("preview", "ok"), ("create", "ok")]
    assert "chair C0" in client.get(f"/staff/patients/{world.patients['a1']}").text


def test_a_stale_preview_is_refused_with_409_and_books_nothing(both: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    stale = confirm_fields(plan_regimen(client, rx).text)
    _book(client, rx)  # another scheduler planned again and confirmed first
    before = len(_visits(app, rx))
    again = client.post(
        f"/staff/prescriptions/{rx}/booking",
        data={**stale, "csrf_token": csrf_token(client, "/staff")},
        follow_redirects=False,
    )
    assert again.status_code == 409 and "The schedule changed since this plan was made" in again.text
    assert f'action="/staff/prescriptions/{rx}/booking/plan"' in again.text  # plan again
    assert 'name="run_id"' not in again.text  # the stale plan is not offered for confirming again
    assert len(_visits(app, rx)) == before


def test_a_move_outside_the_window_needs_a_clinical_reason_and_is_then_flagged(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    _book(client, rx)
    second = _visits(app, rx)[1]
    far = {"day": "2027-06-01", "start": "09:00", "chair": "C02"}
    refused = _post(client, f"/staff/appointments/{second.id}/move", far)
    assert refused.status_code == 422 and "outside its window" in refused.text  # type: ignore[attr-defined]
    assert _visits(app, rx)[1].day == second.day
    sunday = _post(client, f"/staff/appointments/{second.id}/move", {**far, "day": "2027-03-21"})
    assert sunday.status_code == 422 and "closed on Sundays" in sunday.text  # type: ignore[attr-defined]
    accepted = _post(
        client, f"/staff/appointments/{second.id}/move", {**far, "clinical_reason": "infection first, per Dr. Ruiz"}
    )
    assert accepted.status_code == 303  # type: ignore[attr-defined]
    moved = next(v for v in _visits(app, rx) if v.id == second.id)
    assert moved.day == date(2027, 6, 1) and moved.version > second.version
    page = client.get(f"/staff/patients/{world.patients['a1']}").text
    assert "Outside the label rules" in page and "infection first, per Dr. Ruiz" in page
    for day_page in ("/staff/board?day=2027-06-01", "/staff/schedule?day=2027-06-01"):
        shown = client.get(day_page).text
        assert "Booked outside the label rules" in shown and "infection first, per Dr. Ruiz" in shown
    assert "Booked outside the label rules" not in client.get("/staff/board?day=2027-06-02").text
    with app.state.database.session() as db:
        [flag] = db.scalars(select(VisitChange).where(VisitChange.kind == "exception")).all()
        assert flag.appointment_id == second.id and any("outside its window" in r for r in flag.rules)


def test_a_cancelled_visit_reaches_the_patient_as_a_cancellation_with_a_higher_sequence(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    _book(client, rx)
    first = _visits(app, rx)[0]
    client.cookies.clear()
    sign_in(client, "patient_a1")
    before = client.get(f"/patient/appointments/{first.id}.ics")
    assert before.status_code == 200 and "STATUS:CONFIRMED" in before.text
    sequence = int(re.search(r"SEQUENCE:(\d+)", before.text).group(1))  # type: ignore[union-attr]
    client.cookies.clear()
    sign_in(client, "scheduler_a")
    no_reason = _post(client, f"/staff/appointments/{first.id}/cancel", {"reason": ""})
    assert no_reason.status_code == 422  # type: ignore[attr-defined]
    assert _post(client, f"/staff/appointments/{first.id}/cancel", {"reason": "patient asked"}).status_code == 303  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client, "patient_a1")
    after = client.get(f"/patient/appointments/{first.id}.ics")
    assert after.status_code == 200 and "STATUS:CANCELLED" in after.text and "METHOD:CANCEL" in after.text
    assert int(re.search(r"SEQUENCE:(\d+)", after.text).group(1)) > sequence  # type: ignore[union-attr]
    uid = re.search(r"UID:(\S+)", before.text).group(1)  # type: ignore[union-attr]
    assert f"UID:{uid}" in after.text


def test_a_steroid_course_joins_the_regimen_and_the_plan_and_feed_show_both(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    _app, client, world = both
    patient_id = world.patients["a1"]
    added = _post(
        client,
        f"/staff/patients/{patient_id}/prescriptions",
        {"therapy_id": "methylprednisolone", "start_date": "2027-03-15"},
    )
    assert added.status_code == 303  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client, "patient_a1")
    plan = client.get("/patient").text
    catalog = load_catalog()
    assert catalog.get("ocrelizumab-iv").name in plan and catalog.get("methylprednisolone").name in plan
    link = client.post("/patient/calendar/link", data={"csrf_token": csrf_token(client, "/patient/calendar")})
    path = re.search(r'value="http://testserver(/feeds/[^"]+\.ics)"', link.text).group(1)  # type: ignore[union-attr]
    client.cookies.clear()
    feed = client.get(path).text
    uids = re.findall(r"UID:(\S+)", feed)
    assert len(uids) == len(set(uids)) and len(uids) >= 5  # ocrelizumab doses and the 3- to 5-day course


def test_stopping_a_prescription_cancels_its_visits_from_that_day_and_keeps_the_reason(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    _book(client, rx)
    visits = _visits(app, rx)
    stop_on = visits[1].day
    response = _post(client, f"/staff/prescriptions/{rx}/stop", {"stop_on": stop_on.isoformat(), "reason": "switched"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    after = _visits(app, rx)
    assert [v.status for v in after] == ["booked"] + ["cancelled"] * (len(after) - 1)
    with app.state.database.session() as db:
        assert db.get_one(Prescription, rx).status == "stopped"
        [change] = db.scalars(select(PrescriptionChange)).all()
        assert (change.kind, change.effective_on, change.reason) == ("stop", stop_on, "switched")
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "stop")) is not None
    again = _post(client, f"/staff/prescriptions/{rx}/stop", {"stop_on": stop_on.isoformat(), "reason": "again"})
    assert again.status_code == 422  # type: ignore[attr-defined]


def test_editing_a_prescription_moves_its_calendar_and_records_before_and_after(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    response = _post(client, f"/staff/prescriptions/{rx}/edit", {"start_date": "2027-03-15", "reason": "insurance"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    detail = client.get(f"/api/patients/{world.patients['a1']}").json()
    assert detail["prescriptions"][0]["calendar"][0]["day"] == "2027-03-15"
    with app.state.database.session() as db:
        [change] = db.scalars(select(PrescriptionChange)).all()
        assert change.before["start_date"] == "2027-03-08" and change.after["start_date"] == "2027-03-15"


def test_a_nurse_cannot_book_move_or_cancel(both: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    _book(client, rx)
    first = _visits(app, rx)[0]
    client.cookies.clear()
    sign_in(client, "nurse_a")
    assert client.get(f"/staff/prescriptions/{rx}/booking").status_code == 403
    cancel = _post(client, f"/staff/appointments/{first.id}/cancel", {"reason": "nope"})
    assert cancel.status_code == 403  # type: ignore[attr-defined]


def test_another_centers_scheduler_cannot_see_or_change_a_visit(both: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    _book(client, rx)
    first = _visits(app, rx)[0]
    client.cookies.clear()
    sign_in(client, "scheduler_b")
    assert client.get(f"/staff/prescriptions/{rx}/booking").status_code == 404
    cancel = _post(client, f"/staff/appointments/{first.id}/cancel", {"reason": "nope"})
    assert cancel.status_code == 404  # type: ignore[attr-defined]
    assert _visits(app, rx)[0].status == "booked"


def test_the_months_at_a_glance_show_booked_against_bookable_hours_and_the_unbooked_doses(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    before = client.get("/staff/load?start=2027-03-01").text
    assert "Patient A1</a>: Ocrelizumab IV dose 1, due 8 Mar 2027" in before  # planned, not booked yet
    assert "No visits booked in this range." in before
    _book(client, rx)
    page = client.get("/staff/load?start=2027-03-01").text
    assert "Patient A1</a>: Ocrelizumab IV dose 1" not in page
    first = _visits(app, rx)[0]
    assert first.starts_at is not None and first.ends_at is not None
    minutes = int((first.ends_at - first.starts_at).total_seconds() // 60)
    bookable = 2 * 12 * 60 * 0.9  # two chairs, 07:00-19:00, 10 % headroom
    label = first.day.strftime("%a %-d %b %Y")
    row = re.search(rf"<th scope=\"row\">{label}</th>\s*<td>1</td><td>([\d.]+)</td><td>([\d.]+)</td>", page)
    assert row is not None and row.groups() == (f"{minutes / 60:.1f}", f"{bookable / 60:.1f}")
    assert '<th scope="row">Sat 6 Mar 2027</th>\n    <td colspan="4">center closed on Saturdays</td>' in page
    assert f"{label}</a>: {minutes / 60:.1f} of {bookable / 60:.1f} chair-hours" in page  # the busiest day
    with app.state.database.session() as db:
        assert db.scalar(select(AuditEvent).where(AuditEvent.object_type == "center_load")) is not None


def test_one_visit_is_booked_from_the_engines_suggestion_or_by_hand_with_the_same_checks(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    first = _proposal(client, rx)[0]
    dose, day = first.split(":")[0], first.split(":")[1]
    start, chair = first.split(":", 2)[2].rsplit(":", 1)
    suggested = _post(
        client, f"/staff/prescriptions/{rx}/visits", {"dose": dose, "day": day, "start": start, "chair": chair}
    )
    assert suggested.status_code == 303  # type: ignore[attr-defined]
    [visit] = _visits(app, rx)
    assert (visit.dose_index, visit.day.isoformat()) == (int(dose), day)
    twice = _post(
        client, f"/staff/prescriptions/{rx}/visits", {"dose": dose, "day": day, "start": start, "chair": chair}
    )
    assert twice.status_code == 422 and "already booked" in twice.text  # type: ignore[attr-defined]
    early = {"dose": "2", "day": "2027-03-10", "start": "09:00", "chair": "C02"}
    refused = _post(client, f"/staff/prescriptions/{rx}/visits", early)
    assert refused.status_code == 422 and "Give a clinical reason" in refused.text  # type: ignore[attr-defined]
    taken = {"dose": "2", "day": day, "start": start, "chair": chair, "clinical_reason": "same day on purpose"}
    clash = _post(client, f"/staff/prescriptions/{rx}/visits", taken)
    assert clash.status_code == 409  # type: ignore[attr-defined]  # the chair is taken: the database refuses
    assert len(_visits(app, rx)) == 1


def test_an_admin_closes_a_day_and_sets_the_headroom_the_engine_then_keeps(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    _app, client, world = both
    rx = world.prescriptions["a1"]
    assert _proposal(client, rx)[0].split(":")[1] == "2027-03-08"
    client.cookies.clear()
    sign_in(client, "admin_a")
    form = editor_form(client)
    bad = save_editor(client, {**form, "closures": ["2027-03-08"], "headroom": ["100"]})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    saved = save_editor(client, {**form, "closures": ["2027-03-08\n2027-12-24"], "headroom": ["20"]})
    assert saved.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/staff/center/booking").text
    assert "2027-03-08\n2027-12-24" in page and 'value="20"' in page
    first = _proposal(client, rx)[0].split(":")[1]
    assert first != "2027-03-08" and "2027-03-08: center closed (closure)" in plan_regimen(client, rx).text
    assert "of 19.2 h" in client.get("/staff/load?start=2027-03-01").text  # 2 chairs x 12 h x 80 %
    client.cookies.clear()
    sign_in(client, "scheduler_a")
    assert client.get("/staff/center/booking").status_code == 403

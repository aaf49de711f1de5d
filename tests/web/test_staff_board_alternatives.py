"""An add-on's other ways, taken from the board (issue 13): "with moves" (other patients' starts moved)
and "another day" (booked on the center's next open day). Each opens a proposal showing exactly what
changes; a nurse's confirmation stores what was shown, only on the day it was made from (409 otherwise),
audited, with every patient whose time was set or changed told through the outbox."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db import add_on_booking, bookings, day_schedule
from msinfusion.db.board_demo import BoardDay, seed_board_day
from msinfusion.db.booking_models import CenterBookingSettings, VisitChange
from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.db.models import Appointment, AuditEvent, Chair
from msinfusion.outbox import producers
from msinfusion.scheduling import solve
from msinfusion.web.routes.staff import board_replan
from tests.web.web_world import FakeClock, TestClient, World, csrf_token, sign_in

DAY = date(2027, 3, 8)  # a Monday; the world's center opens on Mondays only
NEW_YORK = ZoneInfo("America/New_York")
SEVEN = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)  # 07:00 in New York: nobody is seated yet
TEN = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)
MOVES_FIELDS = ("token", "patient_id", "treatment", "earliest", "now", "schedule")
DAY_FIELDS = ("on", "token", "patient_id", "treatment", "earliest", "schedule")


@pytest.fixture
def board_day(app: FastAPI, world: World, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> BoardDay:
    # The page's search limit is about speed; these tests are about taking an alternative once offered,
    # so the search gets the time to offer one even on a loaded test machine.
    monkeypatch.setattr(board_replan, "ADD_ON_SECONDS", 4.0)
    with app.state.database.session() as db:
        seeded = seed_board_day(db, world.centers["a"], DAY, world.users["scheduler_a"], clock.now)
        moment = datetime(2027, 2, 1, tzinfo=UTC)
        for key in ("a1", "a2"):
            db.add(
                PatientContact(
                    patient_id=world.patients[key],
                    channel="email",
                    address=f"{key}@example.org",
                    reminder_rules=["day-before"],
                    verified_at=moment,
                    created_at=moment,
                    updated_at=moment,
                )
            )
        db.commit()
    clock.now = TEN
    return seeded


def _client(app: FastAPI, username: str = "nurse_a") -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    return client


def _post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, "/staff"), **data}, follow_redirects=False)


def _form(page: str, action: str, names: tuple[str, ...]) -> dict[str, str]:
    """The hidden fields of the form posting to ``action``."""
    start = page.index(f'action="{action}"')
    form = page[start : page.index("</form>", start)]
    found = {}
    for name in names:
        value = re.search(rf'name="{name}" value="([^"]*)"', form)
        assert value is not None, name
        found[name] = html.unescape(value.group(1))
    return found


def _add_on(client: TestClient, world: World, treatment: str, earliest: str) -> str:
    answer = _post(
        client,
        "/staff/board/add-on",
        {"day": DAY.isoformat(), "patient_id": world.patients["a2"], "treatment": treatment, "earliest": earliest},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.text)


def _rows(app: FastAPI, day: date) -> dict[int, tuple[datetime | None, int | None, str]]:
    with app.state.database.session() as db:
        rows = db.scalars(select(Appointment).where(Appointment.day == day)).all()
        return {r.id: (r.starts_at.replace(tzinfo=UTC) if r.starts_at else None, r.chair_id, r.status) for r in rows}


def _chair_ids(app: FastAPI, world: World) -> dict[str, int]:
    with app.state.database.session() as db:
        return {c.code: c.id for c in db.scalars(select(Chair).where(Chair.center_id == world.centers["a"]))}


def _utc(day: date, clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


def _shown_changes(page: str) -> list[tuple[str, str, str, str, str]]:
    """The change table: (patient, what, old start, new start, new chair) per row."""
    return re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^ ]+) → <strong>([^<]+)</strong></td>\s*'
        r"<td>[^ ]+ → <strong>([^<]+)</strong></td>",
        page,
    )


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Every (appointment, change) the existing notice producer is asked to tell (it still runs)."""
    calls: list[tuple[int, str]] = []
    original: Callable[..., bool] = producers.enqueue_visit_notice

    def recording(db: Any, appointment: Appointment, change: str, *args: Any, **kwargs: Any) -> bool:
        calls.append((appointment.id, change))
        return original(db, appointment, change, *args, **kwargs)

    monkeypatch.setattr(day_schedule.changes, "enqueue_visit_notice", recording)
    return calls


def test_with_moves_shows_what_changes_then_stores_exactly_that_and_tells_each_moved_patient(
    app: FastAPI, world: World, board_day: BoardDay, clock: FakeClock, notices: list[tuple[int, str]]
) -> None:
    clock.now = SEVEN
    client = _client(app)
    offer = _add_on(client, world, "methylprednisolone-1000", "08:00")
    assert "At the start wanted, moving others" in offer
    fields = _form(offer, "/staff/board/add-on/with-moves", MOVES_FIELDS)
    before = _rows(app, DAY)
    proposal = _post(client, "/staff/board/add-on/with-moves", {"day": DAY.isoformat(), **fields})
    assert proposal.status_code == 200, proposal.text
    page = proposal.text
    assert "Proposed add-on, moving others" in page and "Changes to the plan" in page
    shown = _shown_changes(page)
    moved = [row for row in shown if row[1] == "New start"]
    assert moved, "a with-moves proposal moves someone's promised start"
    chair = re.search(r"<strong>(C\d\d) at 08:00</strong>", page)
    assert chair is not None
    assert _rows(app, DAY) == before  # a proposal stores nothing
    done = _post(client, "/staff/board/add-on/with-moves/confirm", {"day": DAY.isoformat(), **fields})
    assert done.status_code == 303, done.text
    after = _rows(app, DAY)
    (added,) = set(after) - set(before)
    assert after[added][:2] == (_utc(DAY, "08:00"), _chair_ids(app, world)[chair.group(1)])
    with app.state.database.session() as db:
        names = {
            a.id: a.patient.display_name for a in db.scalars(select(Appointment).where(Appointment.id.in_(list(after))))
        }
    chairs = _chair_ids(app, world)
    changed = {identifier for identifier in before if after[identifier] != before[identifier]}
    for patient, _what, _old, new, new_chair in shown:  # every row shown is stored as shown
        (identifier,) = [i for i in before if names[i] == patient.split(" (")[0]]
        assert after[identifier][:2] == (_utc(DAY, new), chairs[new_chair])
    assert changed <= {i for i in before if names[i] in {p.split(" (")[0] for p, *_ in shown}}
    starts_moved = {i for i in before if after[i][0] != before[i][0]}
    assert {i for i, change in notices if change == "moved"} == starts_moved
    assert (added, "booked") in notices
    with app.state.database.session() as db:
        outbox = {n.recipient: n.idempotency_key for n in db.scalars(select(OutboxMessage))}
        a1 = world.appointments["a1"]
        if a1 in starts_moved:  # the one moved patient with a plan and an address hears of it
            assert outbox["a1@example.org"].startswith(f"notice:moved:appointment-{a1}:")
        else:
            assert "a1@example.org" not in outbox
        audit = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "appointment")).all()
        assert any(e.action == "create" and e.object_id == str(added) for e in audit)
        updated = {e.object_id for e in audit if e.action == "update"}
        assert {str(i) for i in changed} <= updated
    again = _post(client, "/staff/board/add-on/with-moves/confirm", {"day": DAY.isoformat(), **fields})
    assert again.status_code == 409  # the day changed since (it holds the add-on now)


def test_with_moves_confirmed_after_the_day_changed_is_refused_with_409(
    app: FastAPI, world: World, board_day: BoardDay, clock: FakeClock
) -> None:
    clock.now = SEVEN
    client = _client(app)
    fields = _form(_add_on(client, world, "natalizumab-300", "08:30"), "/staff/board/add-on/with-moves", MOVES_FIELDS)
    assert _post(client, "/staff/board/add-on/with-moves", {"day": DAY.isoformat(), **fields}).status_code == 200
    with app.state.database.session() as db:  # another nurse checks a patient in meanwhile
        first = db.scalars(
            select(Appointment)
            .where(Appointment.id.in_(board_day.appointment_ids), Appointment.starts_at.is_not(None))
            .order_by(Appointment.starts_at)
        ).first()
        assert first is not None
        first.board_state = "checked_in"
        db.commit()
    before = _rows(app, DAY)
    for url in ("/staff/board/add-on/with-moves", "/staff/board/add-on/with-moves/confirm"):
        refused = _post(client, url, {"day": DAY.isoformat(), **fields})
        assert refused.status_code == 409
        assert "The day changed after this proposal was made" in refused.text
    assert _rows(app, DAY) == before


def test_a_with_moves_schedule_changed_in_the_form_is_refused(
    app: FastAPI, world: World, board_day: BoardDay, clock: FakeClock
) -> None:
    client = _client(app)  # 10:00: the visits that started before now are in their chairs
    fields = _form(
        _add_on(client, world, "methylprednisolone-1000", "11:00"), "/staff/board/add-on/with-moves", MOVES_FIELDS
    )
    schedule = json.loads(fields["schedule"])
    seated = next(a for a in schedule["assignments"] if a["start"] < "10:00")  # started before now
    seated["start"], seated["end"] = "11:55", "23:00"
    tampered = json.dumps(schedule)
    before = _rows(app, DAY)
    refused = _post(
        client, "/staff/board/add-on/with-moves/confirm", {"day": DAY.isoformat(), **fields, "schedule": tampered}
    )
    assert refused.status_code == 409
    assert _rows(app, DAY) == before


def _close(app: FastAPI, world: World, *days: date) -> None:
    with app.state.database.session() as db:
        row = db.get(CenterBookingSettings, world.centers["a"])
        closures = [d.isoformat() for d in days]
        if row is None:
            db.add(
                CenterBookingSettings(
                    center_id=world.centers["a"],
                    closures=closures,
                    headroom=0.0,
                    updated_by=world.users["admin_a"],
                    updated_at=TEN,
                )
            )
        else:
            row.closures = sorted({*row.closures, *closures})
        db.commit()


def test_another_day_books_the_next_open_day_as_shown_and_tells_the_patient(
    app: FastAPI, world: World, board_day: BoardDay
) -> None:
    _close(app, world, DAY + timedelta(days=7))  # the center's own closure: the next open day is a week later
    client = _client(app)
    offer = _add_on(client, world, "ocrelizumab-300", "10:00")
    assert "does not fit today as promised" in offer
    assert "Another day: Monday, March 22, 2027" in offer
    fields = _form(offer, "/staff/board/add-on/another-day", DAY_FIELDS)
    assert fields["on"] == "2027-03-22"
    proposal = _post(client, "/staff/board/add-on/another-day", {"day": DAY.isoformat(), **fields})
    assert proposal.status_code == 200, proposal.text
    page = proposal.text
    assert "Proposed booking on another day" in page and "the center&#39;s next open day" in page
    place = re.search(r"<strong>(C\d\d) at (\d\d:\d\d)</strong>, ends (\d\d:\d\d)", page)
    assert place is not None
    on = date(2027, 3, 22)
    assert _rows(app, on) == {}  # a proposal stores nothing
    done = _post(client, "/staff/board/add-on/another-day/confirm", {"day": DAY.isoformat(), **fields})
    assert done.status_code == 303, done.text
    ((added, (starts, chair, status)),) = _rows(app, on).items()
    assert done.headers["location"] == f"/staff/board?day={on}#appointment-{added}"
    assert (starts, chair, status) == (_utc(on, place.group(2)), _chair_ids(app, world)[place.group(1)], "booked")
    with app.state.database.session() as db:
        row = db.get_one(Appointment, added)
        assert row.patient_id == world.patients["a2"] and row.treatment == "ocrelizumab-300"
        assert row.prescription_id == world.prescriptions["a2"]  # the patient's ocrelizumab prescription
        assert row.ends_at is not None and row.ends_at.replace(tzinfo=UTC) == _utc(on, place.group(3))
        assert [c.kind for c in db.scalars(select(VisitChange).where(VisitChange.appointment_id == added))] == ["book"]
        (notice,) = db.scalars(select(OutboxMessage)).all()
        assert notice.recipient == "a2@example.org"
        assert notice.idempotency_key.startswith(f"notice:booked:appointment-{added}:")
        audit = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.object_id == str(added))
        ).all()
        assert audit and audit[0].patient_id == world.patients["a2"]
    again = _post(client, "/staff/board/add-on/another-day/confirm", {"day": DAY.isoformat(), **fields})
    assert again.status_code == 409  # that day changed since: it holds the booking now
    assert len(_rows(app, on)) == 1


@pytest.mark.parametrize("change", ["closed", "booked", "bad-chair"])
def test_another_day_is_refused_with_409_when_that_day_changed_or_the_place_is_wrong(
    app: FastAPI, world: World, board_day: BoardDay, change: str
) -> None:
    client = _client(app)
    fields = _form(_add_on(client, world, "ocrelizumab-600", "10:00"), "/staff/board/add-on/another-day", DAY_FIELDS)
    on = date.fromisoformat(fields["on"])
    assert on == DAY + timedelta(days=7)  # open on Mondays only: the next open day is a week later
    if change == "closed":
        _close(app, world, on)
    elif change == "booked":
        with app.state.database.session() as db:
            db.add(
                Appointment(
                    center_id=world.centers["a"],
                    patient_id=world.patients["a1"],
                    treatment="natalizumab-300",
                    day=on,
                    status="booked",
                )
            )
            db.commit()
    else:
        schedule = json.loads(fields["schedule"])
        next(a for a in schedule["assignments"] if a["appointment"] == "NEW")["chair"] = "C99"
        fields["schedule"] = json.dumps(schedule)
    before = _rows(app, on)
    refused = _post(client, "/staff/board/add-on/another-day/confirm", {"day": DAY.isoformat(), **fields})
    assert refused.status_code == 409
    assert "changed after this proposal was made" in refused.text
    assert _rows(app, on) == before


def test_only_nurses_take_an_add_on_alternative(app: FastAPI, board_day: BoardDay) -> None:
    for username in ("scheduler_a", "admin_a", "patient_a1"):
        client = _client(app, username)
        for url in (
            "/staff/board/add-on/with-moves",
            "/staff/board/add-on/with-moves/confirm",
            "/staff/board/add-on/another-day",
            "/staff/board/add-on/another-day/confirm",
        ):
            assert _post(client, url, {"day": DAY.isoformat()}).status_code == 403, (username, url)


def _visits_on(app: FastAPI, world: World, on: date, accepted: bool) -> list[int]:
    """Four visits booked on ``on`` at 09:00 in chairs C01-C04, each as long as the center plans the
    treatment (as the booking pages store it), and, if ``accepted``, a run accepted for them."""
    chairs = _chair_ids(app, world)
    with app.state.database.session() as db:
        minutes = bookings.span(db, world.centers["a"], "natalizumab-300")
        rows = [
            Appointment(
                center_id=world.centers["a"],
                patient_id=world.patients["a1"],
                treatment="natalizumab-300",
                day=on,
                status="booked",
                starts_at=_utc(on, "09:00"),
                ends_at=_utc(on, "09:00") + timedelta(minutes=minutes),
                chair_id=chairs[f"C0{n}"],
            )
            for n in range(1, 5)
        ]
        db.add_all(rows)
        db.flush()
        if accepted:
            built = day_schedule.build_day(db, world.centers["a"], on)
            job, _ = day_schedule.queue_run(db, built, world.centers["a"], world.users["scheduler_a"], TEN, 0)
            result = solve(built.day, solver="greedy")
            job.status, job.result, job.finished_at = "done", json.loads(result.to_json()), TEN
            db.flush()
            day_schedule.accept(db, job, world.users["scheduler_a"], TEN)
        db.commit()
        return [r.id for r in rows]


@pytest.mark.parametrize("accepted", [False, True], ids=["as-booked", "accepted-run"])
def test_another_day_keeps_every_visit_booked_there_where_it_is(
    app: FastAPI, world: World, board_day: BoardDay, accepted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    on = DAY + timedelta(days=7)
    booked = _visits_on(app, world, on, accepted)
    if accepted:  # the accepted run is the day's schedule: nothing is solved again
        monkeypatch.setattr(add_on_booking, "booked_day", None)
    before = _rows(app, on)
    client = _client(app)
    fields = _form(_add_on(client, world, "ocrelizumab-600", "09:00"), "/staff/board/add-on/another-day", DAY_FIELDS)
    proposal = _post(client, "/staff/board/add-on/another-day", {"day": DAY.isoformat(), **fields})
    assert proposal.status_code == 200, proposal.text
    done = _post(client, "/staff/board/add-on/another-day/confirm", {"day": DAY.isoformat(), **fields})
    assert done.status_code == 303, done.text
    after = _rows(app, on)
    assert {i: after[i] for i in booked} == before  # nobody booked there moved
    (added,) = set(after) - set(booked)
    starts, chair, _ = after[added]
    taken = {before[i][1] for i in booked}
    assert chair not in taken or (starts is not None and starts >= _utc(on, "11:00"))  # never on a taken chair at 9-11

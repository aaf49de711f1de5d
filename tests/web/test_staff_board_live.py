"""The live day on the board, for a 40-visit day: add-ons and repairs proposed by the core and stored only
when a nurse confirms the day they were made from (409 otherwise), audited, with the patients told; the
compact view by chair; undo; the "do not infuse" check-in confirmation; corrected step times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from msinfusion.db.board_demo import BoardDay, seed_board_day
from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.db.live_day import accepted_job
from msinfusion.db.models import Appointment, AuditEvent, Chair, CheckAnswers, Patient
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.scheduling.clock import parse_clock
from tests.web.web_world import FakeClock, TestClient, World, csrf_token, sign_in

DAY = date(2027, 3, 8)  # a Monday
TEN = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture
def board_day(app: FastAPI, world: World, clock: FakeClock) -> BoardDay:
    with app.state.database.session() as db:
        seeded = seed_board_day(db, world.centers["a"], DAY, world.users["scheduler_a"], clock.now)
        db.commit()
    clock.now = TEN
    return seeded


def _client(app: FastAPI, username: str = "nurse_a") -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    return client


def _post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    token = csrf_token(client, "/staff")
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    import html

    return html.unescape(found.group(1))


def _confirm_fields(page: str, names: tuple[str, ...]) -> dict[str, str]:
    return {name: _hidden(page, name) for name in names}


def _starts(app: FastAPI, ids: list[int]) -> dict[int, tuple[datetime | None, int | None, str]]:
    with app.state.database.session() as db:
        rows = db.scalars(select(Appointment).where(Appointment.id.in_(ids))).all()
        return {r.id: (r.starts_at, r.chair_id, r.status) for r in rows}


def _seat_first(app: FastAPI, board_day: BoardDay, clock: FakeClock) -> int:
    """Check in the visit that starts first (so it is seated) and return its id."""
    with app.state.database.session() as db:
        first = db.scalars(
            select(Appointment)
            .where(Appointment.id.in_(board_day.appointment_ids), Appointment.starts_at.is_not(None))
            .order_by(Appointment.starts_at)
        ).first()
        assert first is not None
        first.board_state = "checked_in"
        db.add(BoardEvent(appointment_id=first.id, state="checked_in", at=clock.now, user_id=1))
        seated: int = first.id
        db.commit()
        return seated


def test_the_40_visit_board_lists_patients_in_time_order_and_by_chair(app: FastAPI, board_day: BoardDay) -> None:
    page = _client(app, "scheduler_a").get(f"/staff/board?day={DAY}").text
    assert board_day.scheduled >= 30
    cards = re.findall(r'<li class="board-card[^"]*" id="appointment-(\d+)"', page)
    assert len(cards) == 40 + 2  # the world's own a1 and a2 are booked on the day too, without a chair
    starts = [m for m in re.findall(r"(C\d\d) at (\d\d:\d\d)", page)]
    times = [t for _, t in starts]
    assert times == sorted(times)
    assert "By chair and time" in page and '<th scope="row">C01</th>' in page
    assert "Change the plan" not in page  # a scheduler reads: no forms to change the day
    assert "/staff/board/add-on" not in page and "/undo" not in page


def test_an_add_on_is_proposed_then_stored_with_its_chair_and_the_patient_told(
    app: FastAPI, world: World, board_day: BoardDay
) -> None:
    client = _client(app)
    before = _starts(app, board_day.appointment_ids)
    proposal = _post(
        client,
        "/staff/board/add-on",
        {
            "day": DAY.isoformat(),
            "patient_id": world.patients["a2"],
            "treatment": "methylprednisolone-1000",
            "earliest": "11:00",
        },
    )
    assert proposal.status_code == 200, proposal.text
    page = proposal.text
    assert "Proposed add-on" in page and "Nurse tasks" in page
    fields = _confirm_fields(page, ("token", "patient_id", "treatment", "earliest", "now", "schedule"))
    assert _starts(app, board_day.appointment_ids) == before  # nothing stored by a proposal
    done = _post(client, "/staff/board/add-on/confirm", {"day": DAY.isoformat(), **fields})
    assert done.status_code == 303, done.text
    with app.state.database.session() as db:
        added = db.scalars(
            select(Appointment).where(Appointment.patient_id == world.patients["a2"], Appointment.day == DAY)
        ).all()
        new = [a for a in added if a.treatment == "methylprednisolone-1000"]
        assert len(new) == 1 and new[0].chair_id is not None and new[0].starts_at is not None
        assert new[0].starts_at >= datetime(2027, 3, 8, 16, 0, tzinfo=UTC)  # not before 11:00 New York
        job = accepted_job(db, world.centers["a"], DAY)
        assert job is not None and job.result is not None
        assert f"A{new[0].id}" in {a["appointment"] for a in job.result["assignments"]}
        audit = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.object_id == str(new[0].id))
        ).all()
        assert audit
    assert _starts(app, board_day.appointment_ids) == before  # nobody else moved (max shift 0)
    again = _post(client, "/staff/board/add-on/confirm", {"day": DAY.isoformat(), **fields})
    assert again.status_code == 409  # the day changed since that proposal (it now holds the add-on)


def test_a_late_arrival_is_repaired_with_a_diff_and_seated_patients_stay(
    app: FastAPI, board_day: BoardDay, clock: FakeClock
) -> None:
    seated = _seat_first(app, board_day, clock)
    client = _client(app)
    board = client.get(f"/staff/board?day={DAY}").text
    later = [int(a) for a in re.findall(r'<option value="(\d+)">Board Patient', board)]
    with app.state.database.session() as db:
        rows = {a.id: a for a in db.scalars(select(Appointment).where(Appointment.id.in_(later)))}
        late = min(
            (a for a in rows.values() if a.starts_at and a.starts_at > TEN and a.board_state == "expected"),
            key=lambda a: a.starts_at or TEN,
        )
    before = _starts(app, board_day.appointment_ids)
    proposal = _post(
        client,
        "/staff/board/repair",
        {"day": DAY.isoformat(), "kind": "late-arrival", "appointment_id": late.id, "minutes_late": "45"},
    )
    assert proposal.status_code == 200, proposal.text
    page = proposal.text
    assert "Proposed repaired plan" in page and "What changes" in page
    assert re.search(r"Board Patient \d\d</th>\s*<td>New start</td>", page)
    fields = _confirm_fields(page, ("token", "events", "schedule"))
    done = _post(client, "/staff/board/repair/confirm", {"day": DAY.isoformat(), **fields})
    assert done.status_code == 303, done.text
    after = _starts(app, board_day.appointment_ids)
    assert after[seated] == before[seated]
    new_start, old_start = after[late.id][0], before[late.id][0]
    assert new_start is not None and old_start is not None
    assert (new_start - old_start).total_seconds() >= 45 * 60  # not before the patient is there
    with app.state.database.session() as db:
        entries = db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_id == str(late.id), AuditEvent.action == "update")
        )
        assert entries and entries >= 1


def test_a_repair_confirmed_after_the_day_changed_is_refused_with_409(
    app: FastAPI, board_day: BoardDay, clock: FakeClock
) -> None:
    client = _client(app)
    later = board_day.appointment_ids[-1]
    with app.state.database.session() as db:
        row = db.get_one(Appointment, later)
        if row.starts_at is None or row.starts_at <= TEN:
            later = next(
                a.id
                for a in db.scalars(select(Appointment).where(Appointment.id.in_(board_day.appointment_ids)))
                if a.starts_at and a.starts_at > TEN
            )
    proposal = _post(
        client, "/staff/board/repair", {"day": DAY.isoformat(), "kind": "no-show", "appointment_id": later}
    )
    assert proposal.status_code == 200, proposal.text
    fields = _confirm_fields(proposal.text, ("token", "events", "schedule"))
    _seat_first(app, board_day, clock)  # another nurse checks someone in meanwhile
    before = _starts(app, board_day.appointment_ids)
    refused = _post(client, "/staff/board/repair/confirm", {"day": DAY.isoformat(), **fields})
    assert refused.status_code == 409
    assert "The day changed after this proposal was made" in refused.text
    assert _starts(app, board_day.appointment_ids) == before


def test_a_no_show_leaves_the_day_and_a_nurse_leaving_is_repaired(app: FastAPI, board_day: BoardDay) -> None:
    client = _client(app)
    with app.state.database.session() as db:
        later = next(
            a.id
            for a in db.scalars(
                select(Appointment)
                .where(Appointment.id.in_(board_day.appointment_ids))
                .order_by(Appointment.starts_at.desc())
            )
            if a.starts_at
        )
    proposal = _post(
        client, "/staff/board/repair", {"day": DAY.isoformat(), "kind": "no-show", "appointment_id": later}
    )
    assert proposal.status_code == 200, proposal.text
    assert "Off the day" in proposal.text
    fields = _confirm_fields(proposal.text, ("token", "events", "schedule"))
    assert _post(client, "/staff/board/repair/confirm", {"day": DAY.isoformat(), **fields}).status_code == 303
    assert _starts(app, [later])[later] == (None, None, "no_show")
    leaving = _post(
        client,
        "/staff/board/repair",
        {"day": DAY.isoformat(), "kind": "nurse-leaves", "nurse": "N2", "at_time": "13:00"},
    )
    assert leaving.status_code == 200, leaving.text
    assert "nurse N2: leaves at 13:00" in leaving.text


def test_a_reaction_takes_its_slower_rate_from_the_label(app: FastAPI, board_day: BoardDay, clock: FakeClock) -> None:
    with app.state.database.session() as db:
        job = accepted_job(db, 1, DAY)
        assert job is not None and job.result is not None
        treatments = {v["id"]: v["treatment"] for v in job.day_input["appointments"]}
        visit = next(a for a in job.result["assignments"] if treatments[a["appointment"]].startswith("ocrelizumab-600"))
        row = db.get_one(Appointment, int(visit["appointment"][1:]))
        row.board_state = "infusing"
        db.commit()
    infusion = next(t for t in visit["nurse_tasks"] if t["phase"] == "infusion")
    onset = parse_clock(infusion["start"]) + 20
    clock.now = datetime(2027, 3, 8, onset // 60 + 5, onset % 60, tzinfo=UTC)  # New York is UTC-5 on this day
    proposal = _post(
        _client(app),
        "/staff/board/repair",
        {"day": DAY.isoformat(), "kind": "reaction", "appointment_id": row.id, "pause_minutes": "30"},
    )
    assert proposal.status_code == 200, proposal.text
    assert "pause 30 min" in proposal.text
    assert "label rule" in proposal.text  # the reduced rate's source ids, from the therapy data


def test_a_bad_event_is_refused_in_words_without_a_change(app: FastAPI, board_day: BoardDay) -> None:
    refused = _post(
        _client(app),
        "/staff/board/repair",
        {"day": DAY.isoformat(), "kind": "late-arrival", "appointment_id": "", "minutes_late": "10"},
    )
    assert refused.status_code == 422
    assert "No repair was proposed" in refused.text


def test_only_nurses_propose_and_confirm_changes(app: FastAPI, world: World, board_day: BoardDay) -> None:
    scheduler = _client(app, "scheduler_a")
    for url in (
        "/staff/board/add-on",
        "/staff/board/repair",
        "/staff/board/repair/confirm",
        "/staff/board/add-on/confirm",
    ):
        assert _post(scheduler, url, {"day": DAY.isoformat()}).status_code == 403


def test_a_step_recorded_by_mistake_is_undone_and_audited(app: FastAPI, board_day: BoardDay, clock: FakeClock) -> None:
    seated = _seat_first(app, board_day, clock)
    client = _client(app)
    page = client.get(f"/staff/board?day={DAY}").text
    assert "Undo “Checked in”" in page
    with app.state.database.session() as db:
        version = db.get_one(Appointment, seated).version
    stale = _post(client, f"/staff/board/appointments/{seated}/undo", {"state": "checked_in", "version": version - 1})
    assert stale.status_code == 409
    done = _post(client, f"/staff/board/appointments/{seated}/undo", {"state": "checked_in", "version": version})
    assert done.status_code == 303
    with app.state.database.session() as db:
        row = db.get_one(Appointment, seated)
        assert row.board_state == "expected" and row.version > version
        assert not db.scalars(select(BoardEvent).where(BoardEvent.appointment_id == seated)).all()
        audit = db.scalars(
            select(AuditEvent).where(AuditEvent.object_id == str(seated), AuditEvent.action == "update")
        ).all()
        assert any((a.details or {}).get("board_undo") == "checked_in" for a in audit)
    again = _post(client, f"/staff/board/appointments/{seated}/undo", {"state": "checked_in", "version": version + 1})
    assert again.status_code == 409  # nothing left to undo


def test_the_time_of_a_step_is_corrected_within_the_day_and_never_in_the_future(
    app: FastAPI, board_day: BoardDay, clock: FakeClock
) -> None:
    seated = _seat_first(app, board_day, clock)  # checked in at 10:00
    client = _client(app)

    def correct(at: str) -> Any:
        with app.state.database.session() as db:
            version = db.get_one(Appointment, seated).version
        return _post(
            client,
            f"/staff/board/appointments/{seated}/time",
            {"state": "checked_in", "at_time": at, "version": version},
        )

    assert correct("10:30").status_code == 422  # in the future (it is 10:00)
    assert "cannot be in the future" in correct("10:30").text
    assert correct("25:00").status_code == 422
    assert correct("09:40").status_code == 303
    with app.state.database.session() as db:
        event = db.scalars(select(BoardEvent).where(BoardEvent.appointment_id == seated)).one()
        assert event.at.replace(tzinfo=UTC) == datetime(2027, 3, 8, 14, 40, tzinfo=UTC)
        assert event.state == "checked_in"
        audit = db.scalars(select(AuditEvent).where(AuditEvent.object_id == str(seated))).all()
        assert any((a.details or {}).get("board_time") == "checked_in" for a in audit)
    page = client.get(f"/staff/board?day={DAY}").text
    assert "Checked in at 09:40" in page


def test_checking_in_a_do_not_infuse_patient_needs_the_box_ticked(
    app: FastAPI, world: World, board_day: BoardDay, clock: FakeClock
) -> None:
    target = board_day.appointment_ids[0]
    with app.state.database.session() as db:
        row = db.get_one(Appointment, target)
        db.add(
            CheckAnswers(
                patient_id=row.patient_id, appointment_id=row.id, outcome="do-not-come", submitted_at=clock.now
            )
        )
        db.commit()
    client = _client(app)
    page = client.get(f"/staff/board?day={DAY}").text
    card = page[page.index(f'id="appointment-{target}"') :]
    card = card[: card.index("</li>\n  <li") if "</li>\n  <li" in card else len(card)]
    assert "Check: do not infuse" in card and '<svg class="icon icon--stop"' in card
    assert "⛔" not in page
    assert 'name="check_read" value="confirmed" required' in card
    plain = _post(
        client, f"/staff/board/appointments/{target}/state", {"from_state": "expected", "to_state": "checked_in"}
    )
    assert plain.status_code == 422 and "says not to infuse" in plain.text
    with app.state.database.session() as db:
        assert db.get_one(Appointment, target).board_state == "expected"
    ticked = _post(
        client,
        f"/staff/board/appointments/{target}/state",
        {"from_state": "expected", "to_state": "checked_in", "check_read": "confirmed"},
    )
    assert ticked.status_code == 303
    with app.state.database.session() as db:
        assert db.get_one(Appointment, target).board_state == "checked_in"
        assert db.scalar(select(func.count()).select_from(Chair)) >= 14
        assert db.get(Patient, world.patients["a1"]) is not None


def test_the_board_speaks_spanish_when_chosen(app: FastAPI, board_day: BoardDay) -> None:
    client = _client(app)
    client.cookies.set("msi_lang", "es")
    page = client.get(f"/staff/board?day={DAY}").text
    assert 'lang="es"' in page
    assert "Pacientes por orden de hora" in page and "Por sillón y hora" in page


def test_a_repair_tells_each_moved_patient_with_an_address_through_the_outbox(
    app: FastAPI, world: World, board_day: BoardDay, clock: FakeClock
) -> None:
    a1 = world.appointments["a1"]
    with app.state.database.session() as db:
        assert db.get_one(Appointment, a1).chair_id is not None  # the world's a1 is on the accepted day
        moment = datetime(2027, 2, 1, tzinfo=UTC)
        db.add(
            PatientContact(
                patient_id=world.patients["a1"],
                channel="email",
                address="ana@example.org",
                reminder_rules=["day-before"],
                verified_at=moment,
                created_at=moment,
                updated_at=moment,
            )
        )
    clock.now = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)  # 07:00 in New York, before anyone is seated
    client = _client(app)
    proposal = _post(
        client,
        "/staff/board/repair",
        {"day": DAY.isoformat(), "kind": "late-arrival", "appointment_id": a1, "minutes_late": "90"},
    )
    assert proposal.status_code == 200, proposal.text
    assert "Patient A1</th>" in proposal.text
    fields = _confirm_fields(proposal.text, ("token", "events", "schedule"))
    assert _post(client, "/staff/board/repair/confirm", {"day": DAY.isoformat(), **fields}).status_code == 303
    with app.state.database.session() as db:
        notices = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "visit-notice")).all()
        assert [n.recipient for n in notices] == ["ana@example.org"]
        assert notices[0].idempotency_key.startswith(f"notice:moved:appointment-{a1}:")


def test_an_add_on_that_cannot_fit_says_why_and_offers_no_confirm_button(
    app: FastAPI, world: World, board_day: BoardDay
) -> None:
    answer = _post(
        _client(app),
        "/staff/board/add-on",
        {
            "day": DAY.isoformat(),
            "patient_id": world.patients["a2"],
            "treatment": "ocrelizumab-600",
            "earliest": "17:30",
        },
    )
    assert answer.status_code == 200, answer.text
    assert "does not fit today as promised" in answer.text
    assert "/staff/board/add-on/confirm" not in answer.text
    with app.state.database.session() as db:
        at_a = (Appointment.day == DAY) & (Appointment.center_id == world.centers["a"])
        assert db.scalar(select(func.count()).select_from(Appointment).where(at_a)) == 42  # nothing stored

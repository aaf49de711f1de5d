"""A generated MS infusion center year: 500 patients with a realistic therapy mix, the first month promised.

The mix (of 500): 40 % natalizumab every 4 weeks, 35 % ocrelizumab IV, 10 % ublituximab, and the rest
alemtuzumab courses, relapse steroid courses, ocrelizumab SC and rituximab. Patients on maintenance
get a history of given doses from their own calendar; the others start during the year. Half of the
patients state preferences (weekdays, morning or afternoon, a week they cannot come). The chairs are
sized to the fewest chairs whose open time the year's chair-minutes fill to at most 70 %; the first month's doses are
already promised (booked earlier by this engine, as a center using it would have them).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from msinfusion.booking import BookingProblem, BookingRequest, book, parse_request, relaxation_bound
from msinfusion.booking.doses import PatientRegimen, existing_phases
from msinfusion.regimens import dose_calendar
from msinfusion.therapies import load_catalog

TODAY = dt.date(2027, 1, 1)
START = dt.date(2027, 1, 4)
END = dt.date(2027, 12, 31)
MIX = [
    ("natalizumab", 0.40),
    ("ocrelizumab-iv", 0.35),
    ("ublituximab", 0.10),
    ("alemtuzumab", 0.04),
    ("methylprednisolone", 0.04),
    ("ocrelizumab-sc", 0.035),
    ("rituximab", 0.035),
]
NEW_STARTERS = {"alemtuzumab": 1.0, "methylprednisolone": 1.0}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
TARGET_USE = 0.70


def _nurses(count: int, opens: int, closes: int) -> list[dict[str, str]]:
    """Shifts of 8.5 hours: one from opening, one to closing, the rest staggered in between."""
    shift = 510
    late = max(opens, closes - shift)
    between = [opens + (i + 1) * max(0, late - opens) // (count - 1) // 15 * 15 for i in range(count - 2)]
    starts = [opens, late, *between]
    return [
        {"id": f"N{i + 1}", "shift_start": _clock(start), "shift_end": _clock(min(closes, start + shift))}
        for i, start in enumerate(sorted(starts[:count]))
    ]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _patient(rng: random.Random, index: int, therapy_id: str) -> dict[str, Any]:
    therapy = load_catalog().get(therapy_id)
    patient: dict[str, Any] = {"id": f"P{index:03d}", "therapy": therapy_id}
    if rng.random() < NEW_STARTERS.get(therapy_id, 0.15):
        patient["start"] = (START + dt.timedelta(days=rng.randrange(300))).isoformat()
    else:
        # On maintenance: started up to two years ago, every dose so far given on its date.
        start = TODAY - dt.timedelta(days=rng.randrange(30, 730))
        patient["start"] = start.isoformat()
        history = dose_calendar(therapy, start, TODAY - dt.timedelta(days=1))
        patient["given"] = [d.date.isoformat() for d in history.doses]
    if rng.random() < 0.5:
        preferences: dict[str, Any] = {}
        if rng.random() < 0.6:
            preferences["weekdays"] = sorted(rng.sample(WEEKDAYS, rng.choice([2, 3, 4])), key=WEEKDAYS.index)
        roll = rng.random()
        if roll < 0.6:
            preferences["time"] = "morning"
        elif roll < 0.9:
            preferences["time"] = "afternoon"
        if rng.random() < 0.4:
            away = START + dt.timedelta(days=rng.randrange(350))
            preferences["unavailable"] = [(away + dt.timedelta(days=i)).isoformat() for i in range(7)]
        patient["preferences"] = preferences
    return patient


def _center(chairs: int, nurses: int, hours: tuple[int, int] = (7 * 60, 19 * 60)) -> dict[str, Any]:
    opens, closes = hours
    day = {"opens": _clock(opens), "closes": _clock(closes), "nurses": _nurses(nurses, opens, closes)}
    week: dict[str, Any] = {key: day for key in WEEKDAYS}
    week.update(sat=None, sun=None)
    return {
        "name": "Generated MS Infusion Center",
        "timezone": "America/New_York",
        "country": "US",
        "subdivision": "MA",
        "chairs": [{"id": f"C{i + 1:02d}"} for i in range(chairs)],
        "max_patients_per_nurse": 4,
        "week": week,
        "closures": ["2027-12-24", "2027-12-31"],
        "headroom": 0.10,
    }


def make_request(
    patients: int = 500,
    seed: int = 1,
    months: int = 12,
    hours: tuple[int, int] = (7 * 60, 19 * 60),
    chairs: int | None = None,
) -> BookingRequest:
    """The year's request: the patients, a center sized to at most 70 % chair use, the first month promised.

    ``hours`` are the weekday opening and closing times in minutes; ``chairs`` overrides the sizing.
    """
    rng = random.Random(seed)
    end = min(END, START + dt.timedelta(days=round(months * 30.4)))
    therapies = rng.choices([t for t, _ in MIX], weights=[w for _, w in MIX], k=patients)
    people = [_patient(rng, i + 1, therapy) for i, therapy in enumerate(therapies)]
    data: dict[str, Any] = {
        "format": "msinfusion.booking/1",
        "today": TODAY.isoformat(),
        "horizon": {"start": START.isoformat(), "end": end.isoformat()},
        "center": _center(1, 1),
        "existing": [],
        "patients": people,
    }
    sizing = parse_request(data)
    demand = 0
    for patient in sizing.patients:
        due, _ = PatientRegimen(patient, sizing).due_doses({})
        demand += sum(d.minutes for d in due if not d.overdue)
    open_days = sum(1 for i in range((end - START).days + 1) if (START + dt.timedelta(days=i)).weekday() < 5) - 12
    if chairs is None:
        chairs = max(1, math.ceil(demand / (open_days * (hours[1] - hours[0]) * TARGET_USE)))
    data["center"] = _center(chairs, max(2, min(5, math.ceil(chairs * 0.75))), hours)
    request = parse_request(data)
    return _with_first_month_promised(request)


def _with_first_month_promised(request: BookingRequest) -> BookingRequest:
    month_end = request.horizon.start + dt.timedelta(days=27)
    first_month = request.model_copy(
        update={"horizon": request.horizon.model_copy(update={"end": min(month_end, request.horizon.end)})}
    )
    plan = book(first_month, time_limit=10)
    # A promised visit carries only its treatment code, so keep those whose visit is the code's catalog visit.
    phases = {(d.date, a.id): tuple(a.phases or ()) for d in plan.days for a in d.day.appointments}
    existing = [
        {
            "id": f"B{index + 1:04d}",
            "patient": booking.patient,
            "date": booking.date.isoformat(),
            "start": f"{booking.start // 60:02d}:{booking.start % 60:02d}",
            "treatment": booking.treatment,
        }
        for index, booking in enumerate(
            b for b in plan.bookings if phases[(b.date, b.appointment)] == existing_phases(b.treatment)
        )
    ]
    data = request.model_dump(mode="json", exclude_unset=True)
    while True:
        data["existing"] = existing
        try:
            promised = parse_request(data)
            relaxation_bound(promised)  # places every promised visit
            return promised
        except BookingProblem as problem:
            # Re-placed alone, a promised visit may lose its nurse to another's task: leave it to the engine.
            index = int(problem.field.split("[")[1].split("]")[0])
            del existing[index]

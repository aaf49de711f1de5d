"""The booker: every due dose onto a day, a start and a chair, keeping the label rules and the day feasible.

Doses are booked earliest-deadline-first (by the end of their window; a course, or a window with at
most two open days, as soon as its window opens, so the most constrained choose first). When a
patient's dose is booked,
the patient's next dose is computed from the dose calendar with the booked dates requested, so the
minimum intervals, consecutive course days and "next dose counted from a late one" always come from
`regimens.py`. A course is booked whole: day 1 only where every following day is open and has a seat
within :data:`COURSE_START_SPREAD` minutes of the day before's start.

Each dose takes, among the open days of its window: a day whose chair-minutes stay at or under the
*cap* (the level the search is trying), that meets the patient's weekday and date preferences, closest
to its due date; then days over the cap, least over it first. A dose that cannot be booked leaves the
patient's later doses unbooked too ("waits for dose N"): without its date the next ones have none.
Within the day a start that meets the morning/afternoon preference is tried first. A day is only ever
filled up to its capacity less the headroom, and every visit gets a chair and a nurse per task at once
(`ledger.DayLedger`), so every booked day is a feasible day for the day scheduler.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from msinfusion.booking.doses import DueDose, PatientRegimen, therapy_of, visit_phases
from msinfusion.booking.ledger import DayLedger, Seat
from msinfusion.booking.openings import OpenDays
from msinfusion.booking.preferences import day_suits, time_suits
from msinfusion.booking.reasons import why_off_due, why_unbooked
from msinfusion.booking.request import BookingProblem, BookingRequest, ExistingVisit, Preferences
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.day import Phase

__all__ = ["COURSE_START_SPREAD", "Booked", "Booker", "day_suits", "time_suits"]

COURSE_START_SPREAD = 60
"""Center policy: each day of a course starts within an hour of the day before ("a similar start")."""

ONE_DAY = dt.timedelta(days=1)
NARROW_WINDOW = 2
"""A window with at most this many open days is booked as soon as it opens."""


@dataclass(frozen=True, slots=True)
class Booked:
    """A dose placed: its date and seat, its visit's id in the day, and why it is off its due date."""

    dose: DueDose
    date: dt.date
    seat: Seat
    appointment: str
    moved: str | None


class Booker:
    """Books doses onto the center's days; one booker holds one plan in the making."""

    def __init__(
        self,
        request: BookingRequest,
        *,
        cap: int | None = None,
        naive: bool = False,
        openings: OpenDays | None = None,
        regimens: dict[str, PatientRegimen] | None = None,
    ) -> None:
        self.request = request
        self.cap = cap
        self.naive = naive
        self.openings = openings or OpenDays(request.center, request.today, request.horizon.end)
        self.first = max(request.today, request.horizon.start)
        self.last = request.horizon.end
        self.ledgers: dict[dt.date, DayLedger] = {}
        self.booked: dict[tuple[str, int], Booked] = {}
        self.unbooked: dict[tuple[str, int], tuple[DueDose, str]] = {}
        self.promised: dict[str, list[ExistingVisit]] = {}
        self.not_before: dict[tuple[str, int], dt.date] = {}
        """Rebooking: a dose refused or missed on a day is booked only after it."""
        self.regimens = regimens or {patient.id: PatientRegimen(patient, request) for patient in request.patients}

    # -- the days -------------------------------------------------------------------------------

    def over_cap(self, load: int) -> int:
        """How far a day's ``load`` would be over the level (0 when within it or with no level)."""
        return 0 if self.cap is None else max(0, load - self.cap)

    def ledger(self, date: dt.date) -> DayLedger | None:
        """The day's ledger, or ``None`` when the center is closed that day."""
        found = self.ledgers.get(date)
        if found is None:
            hours = self.openings.hours(date)
            if hours is None:
                return None
            found = self.ledgers[date] = DayLedger(date, hours, self.request.center)
        return found

    def place_existing(self, seats: Mapping[tuple[dt.date, str], Seat] | None = None) -> None:
        """Put every promised visit on its day at its start (a visit that cannot be kept is bad input).

        ``seats`` gives a previous plan's seat (chair and nurses) per visit, kept when still free.
        """
        patients = set(self.regimens)
        order = sorted(enumerate(self.request.existing), key=lambda item: (item[1].date, item[1].start))
        for index, visit in order:
            self.place_fixed(
                visit.id,
                visit.patient,
                visit.treatment,
                visit_phases(self.request.center, visit.treatment),
                visit.date,
                visit.start,
                None,
                f"existing[{index}]",
                (seats or {}).get((visit.date, visit.id)),
            )
            if visit.patient in patients:
                self.promised.setdefault(visit.patient, []).append(visit)

    def place_fixed(
        self,
        appointment: str,
        patient: str,
        treatment: str,
        phases: Sequence[Phase],
        date: dt.date,
        start: int,
        chair: str | None,
        field: str,
        previous: Seat | None = None,
    ) -> Seat:
        """Place a visit that keeps its date and start (and chair, when given; its previous seat if free)."""
        ledger = self.ledger(date)
        if ledger is None:
            raise BookingProblem(f"{field}.date", f"{date.isoformat()}: {self.openings.why_closed(date)}")
        if previous is not None and previous.start == start and ledger.fits(phases, previous):
            ledger.place(appointment, patient, treatment, phases, previous)
            return previous
        seat = ledger.try_seat(phases, start, chair)
        if seat is None and chair is not None:
            seat = ledger.try_seat(phases, start)
        if seat is None:
            raise BookingProblem(
                f"{field}.start", f"no chair and nurse free at {format_clock(start)} on {date.isoformat()}"
            )
        ledger.place(appointment, patient, treatment, phases, seat)
        return seat

    # -- the patients ---------------------------------------------------------------------------

    def run(
        self,
        patients: Sequence[str],
        prefix: Mapping[str, Mapping[int, dt.date]] | None = None,
        hints: Mapping[tuple[str, int], tuple[dt.date, int, str]] | None = None,
    ) -> None:
        """Book every due dose of ``patients``, earliest window end first.

        ``prefix`` gives doses of a patient already booked (kept as they are); ``hints`` gives a
        previous date, start and chair per dose, kept when still allowed (rebooking moves little).
        """
        hints = hints or {}
        dates: dict[str, dict[int, dt.date]] = {p: dict((prefix or {}).get(p, {})) for p in patients}
        heap: list[tuple[dt.date, dt.date, int, str]] = []
        pending: dict[str, list[DueDose]] = {}
        counter = 0

        def push(patient: str) -> None:
            nonlocal counter
            due, _ = self.regimens[patient].due_doses(dates[patient])
            rest = [d for d in due if d.number not in dates[patient]]
            pending[patient] = rest
            if rest:
                counter += 1
                heapq.heappush(heap, (self._urgency(rest[0]), rest[0].due, counter, patient))

        for patient in patients:
            push(patient)
        while heap:
            _, _, _, patient = heapq.heappop(heap)
            rest = pending[patient]
            dose = rest[0]
            group = [dose]
            if dose.course_day == 1:
                group = [d for d in rest if d.course == dose.course]
            if dose.overdue:
                self._give_up(
                    rest,
                    f"overdue: its window ended on {dose.window.end.isoformat()}; ask the prescriber for a new date",
                )
                continue
            placed = self._book(group, hints)
            if placed is None:
                self._give_up(rest, why_unbooked(self, group))
                continue
            for booked in placed:
                dates[patient][booked.dose.number] = booked.date
            if len(placed) > 1:
                self._refresh(placed, dates[patient])
            push(patient)

    def _refresh(self, placed: list[Booked], dates: Mapping[int, dt.date]) -> None:
        """Course days after day 1 take their due date and window from the calendar with day 1 booked."""
        due, _ = self.regimens[placed[0].dose.patient].due_doses(dates)
        by_number = {dose.number: dose for dose in due}
        for booked in placed[1:]:
            dose = by_number[booked.dose.number]
            moved = None if booked.date == dose.due else booked.moved
            self.booked[dose.key] = Booked(dose, booked.date, booked.seat, booked.appointment, moved)

    def _urgency(self, dose: DueDose) -> dt.date:
        """When a dose is booked: by the end of its window, but a course or a window of at most two
        open days as soon as its window opens (the most constrained doses choose first)."""
        if dose.course_day == 1:
            return dose.window.start
        open_days = 0
        day = max(dose.window.start, self.first)
        while day <= dose.window.end and open_days <= NARROW_WINDOW:
            open_days += self.openings.is_open(day)
            day += ONE_DAY
        return dose.window.start if open_days <= NARROW_WINDOW else dose.window.end

    def _give_up(self, rest: Sequence[DueDose], reason: str) -> None:
        first = rest[0]
        self.unbooked[first.key] = (first, reason)
        for later in rest[1:]:
            self.unbooked[later.key] = (later, f"waits for dose {first.number}, which is not booked")

    # -- one dose (or one course) ---------------------------------------------------------------

    def _book(
        self, group: list[DueDose], hints: Mapping[tuple[str, int], tuple[dt.date, int, str]]
    ) -> list[Booked] | None:
        lead = group[0]
        preferences = self.regimens[lead.patient].patient.preferences
        promised = self._promised(lead)
        if promised is not None:
            return [promised]
        hint = hints.get(lead.key)
        if hint is not None and len(group) == 1:
            kept = self._keep(lead, hint)
            if kept is not None:
                return [kept]
        anchor = None
        if lead.course_day is not None and lead.course_day > 1:
            day_before = self.booked.get((lead.patient, lead.number - 1))
            anchor = None if day_before is None else day_before.seat.start
        candidates = self._candidates(group, preferences)
        time_wanted = preferences is not None and preferences.time is not None and not self.naive
        for tier in (False, True):
            in_tier = [c for c in candidates if c[0] == tier]
            for strict in (True, False) if time_wanted and anchor is None else (False,):
                for _, _, _, _, start_day, ledgers in in_tier:
                    seats = self._seat(group, ledgers, preferences, strict, anchor)
                    if seats is not None:
                        moved = None if start_day == lead.due else why_off_due(self, group, preferences)
                        return self._commit(group, ledgers, seats, moved)
        return None

    def _candidates(
        self, group: list[DueDose], preferences: Preferences | None
    ) -> list[tuple[bool, bool, int, int, dt.date, list[DayLedger]]]:
        lead = group[0]
        low = self.earliest(lead)
        if self.naive:
            low = max(low, lead.due)
        high = min(lead.window.end, self.last)
        found = []
        day = low
        while day <= high:
            ledgers = self._open_run(day, group)
            if ledgers is not None:
                excess = max(
                    self.over_cap(ledger.load + dose.minutes) for ledger, dose in zip(ledgers, group, strict=True)
                )
                over = excess > 0
                suits = all(day_suits(preferences, ledger.date) for ledger in ledgers)
                distance = abs((day - lead.due).days)
                if self.naive:
                    found.append((False, False, 0, (day - low).days, day, ledgers))
                elif over:
                    found.append((True, not suits, excess, distance, day, ledgers))
                else:
                    found.append((False, not suits, distance, (day - lead.due).days, day, ledgers))
            day += ONE_DAY
        found.sort(key=lambda c: c[:4])
        return found

    def earliest(self, dose: DueDose) -> dt.date:
        return max(dose.window.start, self.first, self.not_before.get(dose.key, self.first))

    def _open_run(self, first: dt.date, group: list[DueDose]) -> list[DayLedger] | None:
        ledgers = []
        for offset, dose in enumerate(group):
            date = first + offset * ONE_DAY
            if date > self.last:
                return None
            ledger = self.ledger(date)
            if ledger is None or not ledger.room_for(dose.minutes):
                return None
            ledgers.append(ledger)
        return ledgers

    def _seat(
        self,
        group: list[DueDose],
        ledgers: list[DayLedger],
        preferences: Preferences | None,
        strict: bool,
        anchor: int | None = None,
    ) -> list[Seat] | None:
        lead = group[0]
        time = None if self.naive or preferences is None else preferences.time
        if anchor is not None:
            starts = ledgers[0].starts(lead.minutes, None, anchor, COURSE_START_SPREAD)
        else:
            starts = ledgers[0].starts(lead.minutes, time)
        if strict:
            starts = [s for s in starts if time_suits(preferences, s)]
        if len(group) == 1:
            seat = ledgers[0].first_seat(lead.phases, starts)
            return None if seat is None else [seat]
        for start in starts:
            seat = ledgers[0].try_seat(lead.phases, start)
            if seat is None:
                continue
            seats = [seat]
            for ledger, dose in zip(ledgers[1:], group[1:], strict=True):
                anchor_start = seats[-1].start
                near = ledger.first_seat(
                    dose.phases, ledger.starts(dose.minutes, None, anchor_start, COURSE_START_SPREAD)
                )
                if near is None:
                    break
                seats.append(near)
            if len(seats) == len(group):
                return seats
        return None

    def _commit(
        self, group: list[DueDose], ledgers: list[DayLedger], seats: list[Seat], moved: str | None
    ) -> list[Booked]:
        placed = []
        for dose, ledger, seat in zip(group, ledgers, seats, strict=True):
            appointment = f"{dose.patient}/{dose.number}"
            ledger.place(appointment, dose.patient, dose.treatment, dose.phases, seat)
            booked = Booked(dose, ledger.date, seat, appointment, moved if dose is group[0] else None)
            self.booked[dose.key] = booked
            placed.append(booked)
        return placed

    def _promised(self, dose: DueDose) -> Booked | None:
        """A visit already promised to this patient for this dose: it keeps its date and start."""
        for visit in list(self.promised.get(dose.patient, [])):
            therapy = self.regimens[dose.patient].therapy.id
            if therapy_of(visit.treatment) != therapy or visit.date not in dose.window:
                continue
            self.promised[dose.patient].remove(visit)
            ledger = self.ledgers[visit.date]
            seat = ledger.visits[visit.id].seat
            moved = (
                None
                if visit.date == dose.due
                else f"{dose.due.isoformat()}: the visit {visit.id} was already promised for {visit.date.isoformat()}"
            )
            booked = Booked(dose, visit.date, seat, visit.id, moved)
            self.booked[dose.key] = booked
            return booked
        return None

    def _keep(self, dose: DueDose, hint: tuple[dt.date, int, str]) -> Booked | None:
        date, start, chair = hint
        if not (self.earliest(dose) <= date <= min(dose.window.end, self.last)):
            return None
        preferences = self.regimens[dose.patient].patient.preferences
        if preferences is not None and date in preferences.unavailable:
            return None
        ledger = self.ledger(date)
        if ledger is None or not ledger.room_for(dose.minutes):
            return None
        day_before = self.booked.get((dose.patient, dose.number - 1))
        course_day = dose.course_day is not None and dose.course_day > 1
        if course_day and day_before is not None and abs(day_before.seat.start - start) > COURSE_START_SPREAD:
            return None
        seat = ledger.try_seat(dose.phases, start, chair) or ledger.try_seat(dose.phases, start)
        if seat is None:
            return None
        moved = None if date == dose.due else why_off_due(self, [dose], preferences)
        return self._commit([dose], [ledger], [seat], moved)[0]

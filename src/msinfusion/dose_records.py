"""Checking a dose record against the patient's calendar before it is stored.

A record (a date, an amount in mg and the dose step it stands for) is compared with what the
therapy's rules allow at that point of the patient's calendar: not in the future, not before the
prescription, after the last recorded dose, not before its window or the minimum interval, a course
day in sequence, the label amount for that step, and within a lifetime cap. Each problem is typed
and names the field it concerns and the source of the rule, so a route can answer 422 with it.
A clinician's confirmation with a written reason turns refusals into flags stored with the record
(:func:`decide`); the calendar then counts what follows from the dose as given.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from msinfusion.dose_checks import missing_checks
from msinfusion.dose_problems import DoseProblem, ProblemKind, RecordedDose, date_problems
from msinfusion.i18n import N_, Message
from msinfusion.reactions import Reaction, retreatment_gate
from msinfusion.therapies.model import Status, Therapy

__all__ = [
    "AMOUNT_ROUNDING_MG",
    "ClinicianConfirmation",
    "DoseDecision",
    "DoseProblem",
    "ProblemKind",
    "ProposedDose",
    "RecordedDose",
    "check_recorded_dose",
    "decide",
]

AMOUNT_ROUNDING_MG = 0.1
"""How far a recorded amount may differ from the computed one: the 0.1 mg the calendar rounds mg/m2 doses to."""


@dataclass(frozen=True, slots=True)
class ProposedDose:
    """A dose staff want to record; ``number`` is the dose step (None: the next one)."""

    date: date
    amount_mg: float | None = None
    number: int | None = None


@dataclass(frozen=True, slots=True)
class ClinicianConfirmation:
    """A clinician's decision to record a dose despite its problems, with a written reason."""

    clinician: str
    reason: str


@dataclass(frozen=True, slots=True)
class DoseDecision:
    """Whether the record may be stored, the problems found, and the flags stored with it."""

    accepted: bool
    problems: tuple[DoseProblem, ...]
    flags: tuple[str, ...]


def _cap_total(therapy: Therapy, given: Sequence[RecordedDose], bsa: float | None, prior: float) -> tuple[float, bool]:
    """mg/m2 received so far (amounts given when known, else the step's amount); and whether all were known."""
    total = prior
    known = True
    for number, dose in enumerate(given, start=1):
        if dose.amount_mg is not None and bsa:
            total += dose.amount_mg / bsa
        else:
            known = False
            total += therapy.dose_step(number).amount.value
    return total, known


def _expected_mg(therapy: Therapy, number: int, bsa: float | None, prescribed: float | None) -> float | None:
    step = therapy.dose_step(number)
    amount = step.amount.value
    if prescribed is not None and step.amount.status in (Status.PRACTICE, Status.UNCONFIRMED):
        amount = prescribed  # a prescriber-set amount (practice or off-label) replaces the reference
    if therapy.dose_unit == "mg/m2":
        return round(amount * bsa, 1) if bsa else None
    return amount


def check_recorded_dose(
    therapy: Therapy,
    start: date,
    given: Sequence[RecordedDose],
    proposed: ProposedDose,
    today: date,
    *,
    bsa: float | None = None,
    prescribed_amount: float | None = None,
    jurisdiction: str = "US",
    prior_cumulative_per_m2: float = 0.0,
    recorded_checks: Collection[str] | None = None,
    reactions: Sequence[Reaction] = (),
) -> list[DoseProblem]:
    """Every problem with recording ``proposed`` after the ``given`` doses of a prescription started on ``start``.

    ``therapy`` is the center's version (overrides applied). An empty list means the record fits.
    ``recorded_checks`` (the ids staff recorded before this dose; None: not tracked) adds a problem per
    missing check required before each dose; ``reactions`` adds one after a serious reaction.
    """
    problems: list[DoseProblem] = []
    day = proposed.date
    expected_number = len(given) + 1
    number = proposed.number if proposed.number is not None else expected_number
    if day > today:
        problems.append(
            DoseProblem(
                ProblemKind.FUTURE,
                "date",
                Message(
                    N_("{date} is in the future (today is {today})"), date=day.isoformat(), today=today.isoformat()
                ),
            )
        )
    if day < start:
        problems.append(
            DoseProblem(
                ProblemKind.BEFORE_START,
                "date",
                Message(
                    N_("{date} is before the prescription start {start}"), date=day.isoformat(), start=start.isoformat()
                ),
            )
        )
    if given and day <= given[-1].date:
        problems.append(
            DoseProblem(
                ProblemKind.OUT_OF_ORDER,
                "date",
                Message(
                    N_("{date} is not after the last recorded dose ({last})"),
                    date=day.isoformat(),
                    last=given[-1].date.isoformat(),
                ),
            )
        )
    if number != expected_number:
        problems.append(
            DoseProblem(
                ProblemKind.STEP,
                "number",
                Message(
                    N_("the next dose on record is dose {expected}, not dose {number}"),
                    expected=expected_number,
                    number=number,
                ),
            )
        )
    if recorded_checks is not None:
        for check in missing_checks(therapy, number, recorded_checks).missing:
            problems.append(
                DoseProblem(
                    ProblemKind.MISSING_CHECK,
                    "checks",
                    Message(N_("{check} is required before each dose"), check=check.what),
                    check.sources,
                )
            )
    gate = retreatment_gate(therapy, reactions)
    if gate.needs_clinician:
        problems.append(DoseProblem(ProblemKind.AFTER_SERIOUS_REACTION, "number", gate.reason or "", gate.sources))
    problems += _amount_problems(therapy, number, proposed.amount_mg, bsa, prescribed_amount)
    problems += _cap_problems(therapy, number, given, proposed, bsa, jurisdiction, prior_cumulative_per_m2)
    if any(p.kind in (ProblemKind.BEFORE_START, ProblemKind.OUT_OF_ORDER) for p in problems):
        return problems  # the calendar cannot place a date before the start or out of order
    problems += date_problems(therapy, start, given, day, expected_number, bsa)
    return problems


def _amount_problems(
    therapy: Therapy, number: int, amount: float | None, bsa: float | None, prescribed: float | None
) -> list[DoseProblem]:
    if amount is None:
        return []
    try:
        step = therapy.dose_step(number)
    except ValueError:
        return []
    expected = _expected_mg(therapy, number, bsa, prescribed)
    sources = tuple(step.amount.source)
    if expected is None:
        return [
            DoseProblem(
                ProblemKind.AMOUNT,
                "amount_mg",
                Message(
                    N_("{therapy} is dosed per m2: the body surface area is needed to check {amount:g} mg"),
                    therapy=therapy.id,
                    amount=amount,
                ),
                sources,
            )
        ]
    if abs(amount - expected) > AMOUNT_ROUNDING_MG + 1e-9:
        per = f" ({step.amount.value:g} {therapy.dose_unit})" if therapy.dose_unit == "mg/m2" else ""
        return [
            DoseProblem(
                ProblemKind.AMOUNT,
                "amount_mg",
                Message(
                    N_("dose {number} of {therapy} is {expected:g} mg{per} ({status}), not {amount:g} mg"),
                    number=number,
                    therapy=therapy.id,
                    expected=expected,
                    per=per,
                    status=step.amount.status,
                    amount=amount,
                ),
                sources,
            )
        ]
    return []


def _cap_problems(
    therapy: Therapy,
    number: int,
    given: Sequence[RecordedDose],
    proposed: ProposedDose,
    bsa: float | None,
    jurisdiction: str,
    prior: float,
) -> list[DoseProblem]:
    cap = therapy.cumulative_cap
    if cap is None or jurisdiction not in cap.limits:
        return []
    limit = cap.limits[jurisdiction]
    problems: list[DoseProblem] = []
    if jurisdiction == "EU" and prior > 0 and number == 1:
        # EU SmPC (mitoxantrone:S6): "must not be initiated in patients who have been previously treated".
        problems.append(
            DoseProblem(
                ProblemKind.PRIOR_TREATMENT,
                "number",
                Message(
                    N_(
                        "EU label: {therapy} is not started in a patient treated with it before "
                        "({prior:g} mg/m2 on record)"
                    ),
                    therapy=therapy.id,
                    prior=prior,
                ),
                tuple(limit.source),
            )
        )
    total, _ = _cap_total(therapy, given, bsa, prior)
    this = (
        proposed.amount_mg / bsa if proposed.amount_mg is not None and bsa else therapy.dose_step(number).amount.value
    )
    if total + this > limit.value + 1e-9:
        problems.append(
            DoseProblem(
                ProblemKind.CUMULATIVE_CAP,
                "amount_mg",
                Message(
                    N_(
                        "this dose would take the lifetime total to {total:g} mg/m2, past the "
                        "{jurisdiction} cap of {cap:g} mg/m2"
                    ),
                    total=total + this,
                    jurisdiction=jurisdiction,
                    cap=limit.value,
                ),
                tuple(limit.source),
            )
        )
    return problems


def decide(problems: Sequence[DoseProblem], confirmation: ClinicianConfirmation | None = None) -> DoseDecision:
    """Refuse a record with problems, unless a clinician confirms it with a written reason; then flag it."""
    found = tuple(problems)
    if not found:
        return DoseDecision(True, found, ())
    if confirmation is None or not confirmation.clinician.strip() or not confirmation.reason.strip():
        return DoseDecision(False, found, ())
    flags = tuple(
        Message(
            N_("{kind}: {problem} (confirmed by {clinician}: {reason})"),
            kind=p.kind.value,
            problem=p.message,
            clinician=confirmation.clinician.strip(),
            reason=confirmation.reason.strip(),
        )
        for p in found
    )
    return DoseDecision(True, found, flags)

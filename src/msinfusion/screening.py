"""The pre-infusion check: questions per therapy (data with sources) and the triage outcome of the answers.

The questions live in ``screening_data/*.yaml``. Answers are a heads-up for the care team, never a
clearance to infuse (``shared/reference/patient-experience.md`` §5): the worst outcome of the answers
wins — ``proceed``, ``call-center`` (call the center before coming) or ``do-not-come`` (contact the
prescriber). Every outcome other than ``proceed`` names the phone number to call. The center sees the
same :class:`ScreeningResult`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from enum import StrEnum
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from msinfusion.center import CenterProfile, display_phone
from msinfusion.i18n import Translator
from msinfusion.therapies import DoseRange, Status
from msinfusion.therapies.model import SourceIds

DATA_PACKAGE = "msinfusion.screening_data"


class Outcome(StrEnum):
    """What the answers mean for the visit, from best to worst."""

    PROCEED = "proceed"
    CALL_CENTER = "call-center"
    DO_NOT_COME = "do-not-come"

    @property
    def rank(self) -> int:
        return list(Outcome).index(self)


class ScreeningError(ValueError):
    """Answers that do not fit the check (an unknown question id)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _label_sources(ids: list[str]) -> list[str]:
    for sid in ids:
        prefix, sep, number = sid.partition(":")
        if not sep or not prefix or not number.startswith("S") or not number[1:].isdigit():
            raise ValueError(f"source {sid!r} is not like 'ocrelizumab:S4' (labels file and source id)")
    return ids


class Rule(_Strict):
    """What a flagged answer means for one therapy: a question's default, or a therapy's override."""

    outcome: Outcome
    reason: str
    text: str | None = Field(None, description="The question as this therapy asks it (default: the question's text)")
    sources: SourceIds = []
    status: Status

    @field_validator("sources")
    @classmethod
    def _sources(cls, ids: list[str]) -> list[str]:
        return _label_sources(ids)

    @property
    def needs_review(self) -> bool:
        return self.status is Status.UNCONFIRMED


class Question(_Strict):
    """One question of the check, with whom it is for and what a flagged answer means."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    text: str
    trigger: bool = Field(description="The answer (yes=true) that needs attention")
    therapies: Literal["all"] | list[str]
    except_: list[str] = Field([], alias="except")
    doses: DoseRange = DoseRange(first=1)
    outcome: Outcome
    reason: str
    advice: str | None = None
    sources: SourceIds = []
    reference: str | None = None
    status: Status
    overrides: dict[str, Rule] = Field({}, description="Therapy-specific rules, e.g. TOUCH for natalizumab")

    @field_validator("sources")
    @classmethod
    def _sources(cls, ids: list[str]) -> list[str]:
        return _label_sources(ids)

    @model_validator(mode="after")
    def _has_basis(self) -> Question:
        if not self.sources and not self.reference:
            raise ValueError(f"question {self.id!r} needs sources or a reference")
        return self

    def applies_to(self, therapy_id: str, dose_number: int) -> bool:
        """Whether the question is asked before dose ``dose_number`` of ``therapy_id``."""
        listed = self.therapies == "all" or therapy_id in self.therapies
        return listed and therapy_id not in self.except_ and dose_number in self.doses

    def rule(self, therapy_id: str) -> Rule:
        """The outcome, reason and basis of a flagged answer for ``therapy_id``."""
        if therapy_id in self.overrides:
            return self.overrides[therapy_id]
        return Rule(outcome=self.outcome, reason=self.reason, text=self.text, sources=self.sources, status=self.status)


class QuestionSet(_Strict):
    """One data file of questions."""

    questions: list[Question] = Field(min_length=1)


def data_files() -> list[str]:
    """Names of the packaged question files."""
    return sorted(p.name for p in resources.files(DATA_PACKAGE).iterdir() if p.name.endswith(".yaml"))


@functools.cache
def all_questions() -> tuple[Question, ...]:
    """Every question of every packaged file (ids are unique across files)."""
    questions: list[Question] = []
    for name in data_files():
        text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
        questions += QuestionSet.model_validate(yaml.safe_load(text)).questions
    ids = [q.id for q in questions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"question ids used twice: {', '.join(duplicates)}")
    return tuple(questions)


def questions_for(therapy_id: str, dose_number: int) -> list[Question]:
    """The questions asked before dose ``dose_number`` of ``therapy_id``, in file order."""
    return [q for q in all_questions() if q.applies_to(therapy_id, dose_number)]


class AskedQuestion(_Strict):
    """A question as the patient sees it, in their language, with the answer if given."""

    id: str
    text: str
    answer: bool | None
    flagged: bool
    outcome: Outcome
    reason: str
    advice: str | None
    sources: list[str]
    needs_review: bool


class ScreeningResult(_Strict):
    """The check for one visit: the questions, the outcome and what to do, for patient and center alike."""

    therapy: str
    dose_number: int
    questions: list[AskedQuestion]
    outcome: Outcome | None = Field(description="None while questions are unanswered and nothing is flagged")
    unanswered: list[str]
    reasons: list[str]
    advice: list[str]
    call_phone: str | None = Field(description="E.164 number to call; set for every outcome except proceed")
    call_phone_text: str | None
    message: str
    needs_review: list[str] = Field(description="Question ids whose basis needs clinical review")

    @property
    def flagged(self) -> list[str]:
        return [q.id for q in self.questions if q.flagged]


def outcome_title(outcome: Outcome | None, t: Translator) -> str:
    """The outcome in plain words."""
    _ = t.gettext
    if outcome is Outcome.PROCEED:
        return _("Come to your visit as planned")
    if outcome is Outcome.CALL_CENTER:
        return _("Call the center before you come")
    if outcome is Outcome.DO_NOT_COME:
        return _("Do not come in yet. Contact your prescriber")
    return _("Not answered yet")


def assess(
    therapy_id: str,
    dose_number: int,
    answers: Mapping[str, bool],
    center: CenterProfile,
    t: Translator,
    *,
    prescriber_phone: str | None = None,
) -> ScreeningResult:
    """Triage the answers to the check before dose ``dose_number``; unknown question ids raise."""
    _ = t.gettext
    asked = questions_for(therapy_id, dose_number)
    known = {q.id for q in asked}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ScreeningError(
            f"answers: {unknown[0]!r} is not a question of the check for {therapy_id} dose {dose_number}; "
            f"questions: {', '.join(sorted(known))}"
        )
    shown: list[AskedQuestion] = []
    for question in asked:
        rule = question.rule(therapy_id)
        answer = answers.get(question.id)
        shown.append(
            AskedQuestion(
                id=question.id,
                text=_(rule.text or question.text),
                answer=answer,
                flagged=answer is not None and answer == question.trigger,
                outcome=rule.outcome,
                reason=_(rule.reason),
                advice=_(question.advice) if question.advice else None,
                sources=list(rule.sources),
                needs_review=rule.needs_review,
            )
        )
    flagged = [q for q in shown if q.flagged]
    unanswered = [q.id for q in shown if q.answer is None]
    worst = max((q.outcome for q in flagged), key=lambda o: o.rank, default=None)
    outcome: Outcome | None
    if worst is not None and worst is not Outcome.PROCEED:
        outcome = worst
    elif unanswered:
        outcome = None
    else:
        outcome = Outcome.PROCEED
    region = center.address.country
    phone = center.phone_text()
    call: str | None = center.phone if center.listed else None
    if outcome is Outcome.CALL_CENTER:
        message = _("Call {center} at {phone} before you come in. Tell them which answers are marked below.").format(
            center=center.name, phone=phone
        )
    elif outcome is Outcome.DO_NOT_COME:
        if prescriber_phone:
            message = _(
                "Do not come in for this infusion yet. Call your prescriber at {prescriber} first, "
                "and let {center} know at {phone}."
            ).format(prescriber=display_phone(prescriber_phone, region), center=center.name, phone=phone)
            call = prescriber_phone
        else:
            message = _(
                "Do not come in for this infusion yet. Contact your prescriber first, and let {center} know at {phone}."
            ).format(center=center.name, phone=phone)
    elif outcome is Outcome.PROCEED:
        call = None
        message = _(
            "Your answers do not show a reason to call first. The nurse will still check with you before "
            "the infusion. If anything changes before your visit, call {center} at {phone}."
        ).format(center=center.name, phone=phone)
    else:
        message = _(
            "Please answer every question. If you are not sure about an answer, call {center} at {phone}."
        ).format(center=center.name, phone=phone)
    return ScreeningResult(
        therapy=therapy_id,
        dose_number=dose_number,
        questions=shown,
        outcome=outcome,
        unanswered=unanswered,
        reasons=[q.reason for q in flagged if q.outcome is not Outcome.PROCEED],
        advice=[q.advice for q in flagged if q.advice],
        call_phone=call,
        call_phone_text=display_phone(call, region) if call else (phone if outcome is not Outcome.PROCEED else None),
        message=message,
        needs_review=[q.id for q in shown if q.needs_review],
    )

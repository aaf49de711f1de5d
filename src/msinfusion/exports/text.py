"""Plain-text rendering of a personal plan (the CLI's default output)."""

from __future__ import annotations

from msinfusion.i18n import translator
from msinfusion.plan import PersonalPlan
from msinfusion.preparation import phase_name, stage_title
from msinfusion.screening import outcome_title


def plan_text(plan: PersonalPlan) -> str:
    """The plan as text: next visit, preparation, check, reminders, every visit and the card."""
    t = translator(plan.locale)
    _ = t.gettext
    out: list[str] = []

    def heading(text: str) -> None:
        out.extend(["", text, "=" * len(text)])

    out += [_("My infusion plan") + f": {plan.therapy_name}", plan.summary, "", plan.disclaimer]
    if plan.center_note:
        out.append(plan.center_note)
    visit = plan.next_visit
    if visit is not None:
        heading(_("My next visit"))
        when = t.date(visit.date)
        if not visit.times.confirmed:
            when += f" ({_('time to be confirmed')})"
        out.append(f"{_('When')}: {when}")
        out.append(f"{_('Where')}: {plan.center.name}, {plan.center.address.one_line}")
        out.append(f"{_('Treatment')}: {plan.therapy_name}, {visit.dose_text}")
        out.append(
            _("Plan for {plan}. Arrive by {arrive}; expect to finish around {finish}.").format(
                plan=visit.plan_text, arrive=t.time(visit.times.arrive_by), finish=t.time(visit.times.finish)
            )
        )
        for name, start, minutes in visit.times.phases:
            out.append(f"  {t.time(start):>8}  {phase_name(name, t)} ({t.duration(minutes)})")
        if visit.premedications:
            out.append(_("Premedicine before the infusion: {names}.").format(names=", ".join(visit.premedications)))
        out += visit.notes
        heading(_("Getting ready"))
        for stage, tasks in visit.preparation.by_stage():
            out += ["", f"## {stage_title(stage, t)}"]
            for task in tasks:
                out.append(f"* {task.title} ({t.date(task.due, 'medium')})")
                out.append(f"  {task.detail}")
                out += [f"    - {item}" for item in task.items]
                out.append("  " + _("Why: {reason}").format(reason=task.reason))
    if plan.check is not None:
        check = plan.check
        heading(_("Pre-infusion check"))
        out += [f"{outcome_title(check.outcome, t)}. {check.message}"]
        out += [f"  - {reason}" for reason in check.reasons]
        out += [f"  - {advice}" for advice in check.advice]
        for number, question in enumerate(check.questions, 1):
            answers = {None: _("not answered yet"), True: _("Yes"), False: _("No")}
            answer = answers[question.answer]
            flag = f"  [{_('Needs attention')}]" if question.flagged else ""
            out.append(f"{number}. {question.text} {_('Answer:')} {answer}{flag}")
    if visit is not None:
        # "We send" only when a channel really sends; otherwise the note says how to turn reminders on.
        heading(_("Reminders we send") if visit.reminders else _("Reminders"))
        out.append(plan.reminder_note)
        out += [f"  - {t.date(r.at, 'medium')} {t.time(r.at)}: {r.text}" for r in visit.reminders]
    heading(_("All my visits"))
    if not plan.visits:
        out.append(_("No visits are planned in this period."))
    for item in plan.visits:
        tbc = f" ({_('to be confirmed')})" if not item.times.confirmed else ""
        out.append(
            f"  {item.number:>3}. {t.date(item.date, 'medium')} {t.time(item.times.start)}{tbc}: "
            f"{item.dose_text}, {item.plan_text}"
        )
    card = plan.card
    details = card.details
    blank = "________"
    heading(_("My information card"))
    out.append(f"{_('Name')}: {details.name or blank}")
    out.append(f"{_('My MS treatment')}: {card.therapy_name}, {card.dose_text}")
    out.append(f"{_('My infusion center')}: {card.center_name}, {card.center_phone_text}")
    allergies = [f"{a.substance}{': ' + a.reaction if a.reaction else ''}" for a in details.allergies]
    if details.no_known_allergies:
        allergies = [_("No known allergies")]
    out.append(f"{_('Allergies')}: {'; '.join(allergies) or blank}")
    medicines = [", ".join(p for p in (m.name, m.dose, m.how_often) if p) for m in details.medicines]
    out.append(f"{_('Medicines I take')}: {'; '.join(medicines) or blank}")
    out.append(f"{_('Health conditions')}: {'; '.join(c.name for c in details.conditions) or blank}")
    contacts = [f"{c.name}: {card.phone_text(c.phone)}" for c in details.emergency_contacts]
    out.append(f"{_('Emergency contacts')}: {'; '.join(contacts) or blank}")
    driver = f"{details.driver.name}: {card.phone_text(details.driver.phone)}" if details.driver else blank
    out.append(f"{_('My driver')}: {driver}")
    if plan.staff.needs_review or plan.staff.warnings or plan.staff.flags:
        heading(_("For the care team"))
        out += [f"  - Needs review: {item}" for item in plan.staff.needs_review]
        out += [f"  - Warning: {item}" for item in plan.staff.warnings]
        out += [f"  - {item}" for item in plan.staff.flags]
    out += [
        "",
        _("Questions? Call {center} at {phone}.").format(center=plan.center.name, phone=plan.center.phone_text()),
    ]
    return "\n".join(out).strip() + "\n"

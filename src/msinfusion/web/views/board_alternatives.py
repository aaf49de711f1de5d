"""What the board shows of an add-on's other ways (later today, with moves, another day) and of the
proposal of one of them: the changes as table rows, and the whole schedule each one stands for, sent
back with the confirmation (:mod:`msinfusion.web.routes.staff.board_alternatives`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from msinfusion.db.add_on_booking import NextDay
from msinfusion.db.live_day import NEW_VISIT, LiveDay
from msinfusion.i18n import Translator
from msinfusion.scheduling.addon import Alternative
from msinfusion.scheduling.addon_alternatives import alternative_schedule
from msinfusion.scheduling.changes import schedule_changes
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.day import Appointment
from msinfusion.scheduling.problems import DayProblem
from msinfusion.scheduling.schedule import Assignment, Schedule
from msinfusion.scheduling.validation import InvalidSchedule
from msinfusion.web.views.board import change_rows, named, task_rows

log = logging.getLogger(__name__)


def _schedule_of(alternative: Alternative, live: LiveDay, visit: Appointment, next_day: NextDay | None) -> str:
    """The whole schedule an alternative stands for, as JSON ("" when it cannot be confirmed from the board)."""
    try:
        if alternative.kind == "with-moves":
            return alternative_schedule(live.day, live.current, visit, alternative).to_json(indent=None)
        if alternative.kind == "tomorrow" and next_day is not None and alternative.date == next_day.date.isoformat():
            return alternative_schedule(next_day.day, next_day.schedule, visit, alternative).to_json(indent=None)
    except (DayProblem, InvalidSchedule) as exc:
        # The core described a schedule that does not rebuild: show the way, offer no confirmation.
        log.warning("add-on alternative %s not confirmable: %s", alternative.kind, exc)
    return ""


def _sentence(text: str) -> str:
    """The core's note as a sentence on its own line (its first letter capitalised, nothing else)."""
    return text[:1].upper() + text[1:]


def alternative_views(
    alternatives: Sequence[Alternative],
    live: LiveDay,
    visit: Appointment,
    next_day: NextDay | None,
    names: Mapping[str, str],
    t: Translator,
) -> list[dict[str, Any]]:
    """The add-on's other ways as the proposal page lists them, each with what a confirmation sends back."""
    return [
        {
            "kind": a.kind,
            "date": a.date,
            "when": t.date(date.fromisoformat(a.date)),
            "start": format_clock(a.start),
            "chair": a.chair,
            "note": _sentence(named([a.note], names, t)[0]),
            "rows": change_rows(a.changes, names),
            "schedule_json": _schedule_of(a, live, visit, next_day),
            "token": next_day.token if a.kind == "tomorrow" and next_day is not None else live.token,
        }
        for a in alternatives
    ]


def placed_add_on(schedule: Schedule) -> Assignment:
    """The add-on's assignment in a proposed schedule (``KeyError`` when it is not placed)."""
    found = next((a for a in schedule.assignments if a.appointment == NEW_VISIT), None)
    if found is None:
        raise KeyError(NEW_VISIT)
    return found


def placement_facts(placed: Assignment, t: Translator) -> dict[str, Any]:
    """The add-on's chair, start, end and nurse tasks for the proposal page."""
    return {
        "placement": placed,
        "start": format_clock(placed.start),
        "end": format_clock(placed.end),
        "tasks": task_rows(placed.nurse_tasks, t),
    }


def moves_facts(current: Schedule, proposed: Schedule, names: Mapping[str, str]) -> dict[str, Any]:
    """What a "with moves" add-on changes for everyone else: the table rows, how many promised starts
    move, and who would have no time left today."""
    others = [c for c in schedule_changes(current, proposed) if c.appointment != NEW_VISIT]
    off = [c.appointment for c in others if c.new_start is None]
    return {
        "rows": change_rows(others, names),
        "moved": sum(1 for c in others if c.start_moved and c.new_start is not None),
        "off": [names.get(a, a) for a in off],
        "changed": [c.appointment for c in others],
    }

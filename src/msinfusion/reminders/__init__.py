"""Reminders and notices: which messages a patient (or the center) gets, when, and in which words.

The pure core of patient communications. :mod:`~msinfusion.reminders.rules` decides which reminders are
due and keys each one; :mod:`~msinfusion.reminders.messages` writes reminders and notices in the
patient's language; :mod:`~msinfusion.reminders.tokens` signs the links in them. Sending, storing and
retrying live in :mod:`msinfusion.outbox`. This package imports :mod:`msinfusion.plan` only from
``messages`` (the plan itself imports ``rules``), so import that module by its full name.
"""

from msinfusion.reminders.rules import (
    RULE_IDS,
    Channel,
    PlannedReminder,
    QuietHours,
    ReminderChannel,
    RuleId,
    VisitSlot,
    due_reminders,
    planned_reminders,
    reminder_key,
    rule_text,
)
from msinfusion.reminders.tokens import TokenClaims, TokenError, make_token, verify_token

__all__ = [
    "RULE_IDS",
    "Channel",
    "PlannedReminder",
    "QuietHours",
    "ReminderChannel",
    "RuleId",
    "TokenClaims",
    "TokenError",
    "VisitSlot",
    "due_reminders",
    "make_token",
    "planned_reminders",
    "reminder_key",
    "rule_text",
    "verify_token",
]

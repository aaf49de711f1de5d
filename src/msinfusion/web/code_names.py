"""What pages show for the codes the database stores (roles, message states, a therapy's route, fact
statuses, check outcomes).

Each table maps a stored code to its English words, marked for the catalog; :func:`code_namer` gives
templates one function that looks a code up and translates it (an unknown code is shown as it is).
"""

from __future__ import annotations

from collections.abc import Callable

from msinfusion.i18n import N_, Translator

ROLE_NAMES = {
    "patient": N_("Patient"),
    "nurse": N_("Nurse"),
    "scheduler": N_("Scheduler"),
    "admin": N_("Administrator"),
}
MESSAGE_STATES = {
    "pending": N_("Pending"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
}
ROUTES = {"intravenous": N_("Intravenous"), "subcutaneous": N_("Subcutaneous")}
FACT_STATUSES = {
    "label": N_("label"),
    "manufacturer": N_("manufacturer"),
    "secondary": N_("secondary"),
    "practice": N_("practice"),
    "unconfirmed": N_("unconfirmed"),
    "center": N_("center"),
}
CHECK_OUTCOMES = {
    "proceed": N_("Come as planned"),
    "call-center": N_("Needs a call before the visit"),
    "do-not-come": N_("Not to come in yet: the prescriber decides"),
}


def code_namer(names: dict[str, str], t: Translator) -> Callable[[str], str]:
    """A function from a stored code to its words in the language of ``t``."""

    def name(code: str) -> str:
        return t.gettext(names[code]) if code in names else code

    return name

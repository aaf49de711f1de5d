"""Printable HTML: the information card on one page, and the whole plan as one accessible document.

The templates (``exports/templates/``) are self-contained: inline CSS with body text at 1.25rem
(about 20px) and 14pt in print, near-black on white, relative units so the page reflows at 200%
zoom, semantic headings and the ``lang`` attribute. The web app reuses ``_card_fragment.html`` and
``_styles.html``. Template text goes through the plan's language with Jinja2's i18n extension.
"""

from __future__ import annotations

import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from msinfusion.i18n import Translator, translator
from msinfusion.plan import PersonalPlan
from msinfusion.preparation import Stage, phase_name, stage_title
from msinfusion.screening import Outcome, outcome_title


def environment(t: Translator) -> Environment:
    """A Jinja2 environment for the templates, translating into ``t``'s language."""
    env = Environment(
        loader=PackageLoader("msinfusion.exports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(t.translations, newstyle=True)  # type: ignore[attr-defined]
    helpers: dict[str, Any] = {
        "fmt_date": lambda day, width="full": t.date(day.date() if isinstance(day, datetime.datetime) else day, width),
        "fmt_time": t.time,
        "fmt_duration": t.duration,
        "phase_name": lambda name: phase_name(name, t),
        "stage_title": lambda stage: stage_title(Stage(stage), t),
        "outcome_title": lambda outcome: outcome_title(Outcome(outcome) if outcome else None, t),
    }
    env.globals.update(helpers)
    return env


def card_html(plan: PersonalPlan) -> str:
    """The information card as a one-page HTML document."""
    env = environment(translator(plan.locale))
    return env.get_template("card.html").render(plan=plan, card=plan.card)


def plan_html(plan: PersonalPlan) -> str:
    """The whole plan as one HTML document."""
    env = environment(translator(plan.locale))
    return env.get_template("plan.html").render(plan=plan)

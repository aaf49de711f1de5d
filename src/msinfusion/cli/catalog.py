"""`msinfusion therapies`: list the catalog, show one therapy with sources, list what needs review."""

from __future__ import annotations

import typer
from rich.table import Table

from msinfusion.cli._app import UsageProblem, app, console
from msinfusion.therapies import Fact, Therapy, UnknownTherapy, load_catalog, review_items
from msinfusion.therapies.catalog import all_facts

therapies_app = typer.Typer(help="The therapy catalog built from the drug labels.", invoke_without_command=True)
app.add_typer(therapies_app, name="therapies")


def find_therapy(name: str) -> Therapy:
    """The catalog therapy called ``name``, or a usage problem listing the known ones."""
    try:
        return load_catalog().get(name)
    except UnknownTherapy as exc:
        raise UsageProblem(str(exc)) from None


def _fact_text(fact: Fact[object]) -> str:
    flag = "  [NEEDS REVIEW]" if fact.needs_review else ""
    return f"{fact.value}  ({', '.join(fact.source)}; {fact.status.value}){flag}"


@therapies_app.callback()
def therapies(ctx: typer.Context) -> None:
    """List every therapy in the catalog."""
    if ctx.invoked_subcommand is not None:
        return
    catalog = load_catalog()
    table = Table(title="Therapy catalog")
    for column in ("id", "name", "brands", "route", "label", "needs review"):
        table.add_column(column)
    review = review_items(catalog)
    for therapy in catalog:
        count = sum(1 for item in review if item.therapy == therapy.id)
        table.add_row(
            therapy.id,
            therapy.name,
            ", ".join(therapy.brands),
            therapy.route,
            therapy.approval,
            str(count) if count else "",
        )
    console().print(table)


@therapies_app.command("show")
def show(name: str = typer.Argument(..., help="Therapy id, generic or brand name")) -> None:
    """Show one therapy with every value, its source and status."""
    therapy = find_therapy(name)
    out = console()
    out.print(f"[bold]{therapy.name}[/bold] ({therapy.id}) — {', '.join(therapy.brands)}; {therapy.approval}")
    out.print(therapy.summary)
    for flag in therapy.flags:
        out.print(f"! {flag}")
    table = Table(title=f"Values (sources from shared/labels/{therapy.labels_file})")
    table.add_column("value path")
    table.add_column("value, source, status")
    for path, fact in all_facts(therapy):
        table.add_row(path, _fact_text(fact))
    out.print(table)
    sources = Table(title="Sources")
    sources.add_column("id")
    sources.add_column("source")
    for sid, text in therapy.sources.items():
        sources.add_row(sid, text)
    out.print(sources)


@therapies_app.command("review")
def review() -> None:
    """List every value that needs review against the current label."""
    table = Table(title="Needs review (unconfirmed values)")
    for column in ("therapy", "value path", "value", "sources", "note"):
        table.add_column(column)
    items = review_items(load_catalog())
    for item in items:
        table.add_row(item.therapy, item.path, str(item.value), ", ".join(item.sources), item.note or "")
    console().print(table)
    console().print(f"{len(items)} values need review.")

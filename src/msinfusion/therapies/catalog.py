"""Loading the catalog from the packaged data files, and listing what needs review."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

import yaml
from pydantic import BaseModel

from msinfusion.therapies.model import Fact, Status, Therapy

DATA_PACKAGE = "msinfusion.therapies"


class UnknownTherapy(KeyError):
    """A therapy id that is not in the catalog."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known

    def __str__(self) -> str:
        return f"unknown therapy {self.name!r}; known: {', '.join(self.known)}"


@dataclass(frozen=True)
class Catalog:
    """Every therapy, by id."""

    therapies: dict[str, Therapy]

    @property
    def ids(self) -> list[str]:
        return sorted(self.therapies)

    def get(self, name: str) -> Therapy:
        """The therapy with id ``name`` (or a brand or generic name that names exactly one)."""
        key = name.strip().lower()
        if key in self.therapies:
            return self.therapies[key]
        matches = [
            t for t in self.therapies.values() if key == t.generic.lower() or key in (b.lower() for b in t.brands)
        ]
        if len(matches) == 1:
            return matches[0]
        raise UnknownTherapy(name, self.ids)

    def __iter__(self) -> Iterator[Therapy]:
        return iter(self.therapies[i] for i in self.ids)


def data_files() -> list[str]:
    """Names of the packaged therapy data files."""
    root = resources.files(DATA_PACKAGE)
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".yaml"))


def load_therapy(filename: str) -> Therapy:
    """Load and validate one data file."""
    text = resources.files(DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    therapy = Therapy.model_validate(yaml.safe_load(text))
    if f"{therapy.id}.yaml" != filename:
        raise ValueError(f"{filename}: id {therapy.id!r} does not match the file name")
    return therapy


@functools.cache
def load_catalog() -> Catalog:
    """The packaged catalog (read once; the models are frozen)."""
    return Catalog({t.id: t for t in map(load_therapy, data_files())})


@dataclass(frozen=True)
class ReviewItem:
    """A value that staff must check against the current label before relying on it."""

    therapy: str
    path: str
    value: object
    sources: tuple[str, ...]
    note: str | None


def _facts(node: object, path: str) -> Iterator[tuple[str, Fact[object]]]:
    if isinstance(node, Fact):
        yield path, node
        return
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _facts(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _facts(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _facts(value, f"{path}[{index}]")


def all_facts(therapy: Therapy) -> list[tuple[str, Fact[object]]]:
    """Every sourced value of a therapy with its path in the data file."""
    return list(_facts(therapy, ""))


def review_items(catalog: Catalog) -> list[ReviewItem]:
    """Every unconfirmed value in the catalog, plus every missed-dose rule that is unconfirmed."""
    items: list[ReviewItem] = []
    for therapy in catalog:
        for path, fact in all_facts(therapy):
            if fact.status is Status.UNCONFIRMED:
                items.append(ReviewItem(therapy.id, path, fact.value, tuple(fact.source), fact.note))
        if therapy.missed_dose and therapy.missed_dose.status is Status.UNCONFIRMED:
            md = therapy.missed_dose
            items.append(ReviewItem(therapy.id, "missed_dose", md.text, tuple(md.source), None))
    return items


def show(value: object) -> str:
    """A value as staff read it: ``6 months``, ``start 30, increment 30, …``, ``300``."""
    if isinstance(value, BaseModel) and type(value).__str__ is BaseModel.__str__:
        return ", ".join(f"{k.replace('_', ' ')} {show(v)}" for k, v in value.model_dump().items())
    if isinstance(value, list):
        return "; ".join(show(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

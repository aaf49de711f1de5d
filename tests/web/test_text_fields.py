"""Every text field of every form and API body is counted the way the browser counts (a line break is one
character, ``\\r\\n`` or not), refuses NUL, and has its maximum from the limits table.

The test walks the app's routes (form fields and JSON bodies, nested models and dict keys included) and
the card, which its routes read by hand; a field typed without :data:`msinfusion.limits.BrowserText`
fails here. Each field found is then checked for behaviour, not only for its annotation: a text at
its maximum written with a Windows line break is taken whole, one more character is refused.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from msinfusion import passwords
from msinfusion.card import CardDetails
from msinfusion.limits import TEXT_LIMITS, BrowserNewlines, NoNul
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FAST, TestClient, World, csrf_token, sign_in

# Passwords are compared exactly as typed (a password box cannot hold a line break): never rewritten.
VERBATIM = {("form", "password"), ("form", "confirm")}
# Bodies the routes read by hand (the card form and PUT /api/patient/card validate this model, which
# takes only its own field names), and the raw bodies that are read that way.
READ_BY_HAND: tuple[type[BaseModel], ...] = (CardDetails,)
RAW_BODIES = {"PUT /api/patient/card body"}


@dataclass(frozen=True)
class TextField:
    where: str  # "POST /staff/catalog/{therapy_id}/overrides reason", "OverrideIn.reason", ...
    kind: str  # "form" or "model"
    name: str
    metadata: tuple[Any, ...]

    def __post_init__(self) -> None:
        # A Field(...) inside an Annotated alias arrives whole; its constraints are its own metadata.
        flat = [part for m in self.metadata for part in (m.metadata if isinstance(m, FieldInfo) else [m])]
        object.__setattr__(self, "metadata", tuple(flat))

    @property
    def max_length(self) -> int | None:
        found = [m.max_length for m in self.metadata if getattr(m, "max_length", None) is not None]
        return found[-1] if found else None

    @property
    def min_length(self) -> int:
        found = [m.min_length for m in self.metadata if getattr(m, "min_length", None) is not None]
        return found[-1] if found else 0


def _is_text(annotation: Any) -> bool:
    return annotation is str


def _texts_in(annotation: Any, where: str, field_metadata: tuple[Any, ...], seen: set[type]) -> Iterator[TextField]:
    """The text types inside ``annotation`` (optional, in lists and dict keys, in nested models)."""
    origin = typing.get_origin(annotation)
    if _is_text(annotation):
        yield TextField(where, "model", where.rsplit(".", 1)[-1], field_metadata)
    elif origin is Annotated:
        inner, *metadata = typing.get_args(annotation)
        if _is_text(inner):
            yield TextField(where, "model", where.rsplit(".", 1)[-1], (*metadata, *field_metadata))
        else:
            yield from _texts_in(inner, where, (*metadata, *field_metadata), seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _model_texts(annotation, seen)
    elif origin in (typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            if argument is not type(None):
                yield from _texts_in(argument, where, field_metadata, seen)
    elif origin in (list, tuple, set, frozenset):  # the field's own limits count the items, not characters
        for argument in typing.get_args(annotation):
            yield from _texts_in(argument, f"{where}[item]", (), seen)
    elif origin is dict:
        key, value = typing.get_args(annotation)
        yield from _texts_in(key, f"{where}[key]", (), seen)
        yield from _texts_in(value, f"{where}[value]", (), seen)


def _model_texts(model: type[BaseModel], seen: set[type]) -> Iterator[TextField]:
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        yield from _texts_in(field.annotation, f"{model.__name__}.{name}", tuple(field.metadata), seen)


def _body_params(dependant: Any) -> Iterator[Any]:
    yield from dependant.body_params
    for sub in dependant.dependencies:
        yield from _body_params(sub)


def text_fields(app: FastAPI) -> list[TextField]:
    """Every text field a form or an API body of ``app`` takes, and those of the bodies read by hand."""
    found: list[TextField] = []
    models: set[type] = set()
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None) or getattr(context.original_route, "dependant", None)
        if dependant is None:
            continue
        for param in _body_params(dependant):
            info = param.field_info
            where = f"{'/'.join(sorted(context.methods or ()))} {context.path} {param.name}"
            if where in RAW_BODIES:
                continue
            if _is_text(info.annotation):
                found.append(TextField(where, "form", param.name, tuple(info.metadata)))
            else:
                found.extend(_texts_in(info.annotation, where, tuple(info.metadata), models))
    for model in READ_BY_HAND:
        found.extend(_model_texts(model, models))
    return found


@pytest.fixture(scope="module")
def fields() -> list[TextField]:
    app = create_app(Settings(database_url="sqlite:///:memory:", **FAST))
    try:
        return text_fields(app)
    finally:
        app.state.schedule_runner.shutdown()
        app.state.database.dispose()


def test_the_walk_finds_the_forms_and_models_it_should(fields: list[TextField]) -> None:
    places = {f.where for f in fields}
    assert "POST /staff/catalog/{therapy_id}/overrides reason" in places  # a form textarea
    assert "OverrideIn.reason" in places and "GivenDoseIn.note" in places  # API bodies
    assert "CheckIn.answers[key]" in places  # a dict's keys
    assert "Allergy.reaction" in places and "Contact.phone" in places  # the card, nested and optional
    assert len(fields) >= 60


def test_every_text_field_counts_like_the_browser_refuses_nul_and_has_a_limit_from_the_table(
    fields: list[TextField],
) -> None:
    table = {limit.max_chars for limit in TEXT_LIMITS.values()}
    wrong = []
    for field in fields:
        if (field.kind, field.name) in VERBATIM:
            if field.max_length != passwords.MAX_LENGTH:
                wrong.append((field.where, "a password's limit is passwords.MAX_LENGTH"))
            continue
        if BrowserNewlines not in field.metadata or NoNul not in field.metadata:
            wrong.append((field.where, "not BrowserText (line breaks counted by the server, NUL allowed)"))
        if field.max_length not in table:
            wrong.append((field.where, f"maximum {field.max_length} is not from limits.TEXT_LIMITS"))
    assert wrong == []


def test_at_its_maximum_with_a_windows_line_break_every_text_is_taken_and_one_more_is_refused(
    fields: list[TextField],
) -> None:
    for field in fields:
        if (field.kind, field.name) in VERBATIM or field.where == "Contact.phone":
            continue  # the phone is also parsed as a number: its behaviour is in test_input_limits
        limit = field.max_length
        assert limit is not None, field.where
        validator: TypeAdapter[str] = TypeAdapter(Annotated[str, *field.metadata])
        at_limit = "x" * (limit - 1) + "\r\n"  # limit + 1 characters sent, limit as the browser counts
        assert validator.validate_python(at_limit) == "x" * (limit - 1) + "\n", field.where
        for refused in ("x" * limit + "\r\n", "x\x00"[: max(2, field.min_length)].ljust(max(2, field.min_length), "x")):
            with pytest.raises(ValidationError):
                validator.validate_python(refused)


def _override(client: TestClient, reason: str) -> int:
    data = {
        "field": "infusions.initial.volume_ml",
        "value": "300",
        "reason": reason,
        "csrf_token": csrf_token(client, "/staff/catalog"),
    }
    return int(client.post("/staff/catalog/ocrelizumab-iv/overrides", data=data, follow_redirects=False).status_code)


def test_a_catalog_override_reason_full_of_windows_line_breaks_is_saved_whole(client: TestClient, world: World) -> None:
    sign_in(client, "admin_a")
    limit = TEXT_LIMITS["catalog.reason"].max_chars
    reason = "Protocol\r\n" * (limit // 9) + "x" * (limit % 9)  # 9 characters a line, as the browser counts
    assert len(reason.replace("\r\n", "\n")) == limit < len(reason)  # the browser's count fits; the raw one not
    assert _override(client, reason) == 303
    history = client.get("/api/therapies/ocrelizumab-iv").json()["history"]
    assert history[0]["reason"] == reason.replace("\r\n", "\n")  # stored whole, nothing cut
    assert _override(client, reason + "x") == 422  # one over, as the browser counts: refused, not cut

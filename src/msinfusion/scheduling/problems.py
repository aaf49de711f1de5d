"""Bad input, reported as one line naming the field (`appointments[3].phases[1].minutes: ...`)."""

from __future__ import annotations

from pydantic import ValidationError

__all__ = ["DayProblem", "field_path", "first_error"]


class DayProblem(ValueError):
    """Input that does not follow the format; `field` names where, `message` says what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def field_path(location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as `appointments[3].phases[1].minutes`."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "(file)"


_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
    "greater_than_equal": "must be >= {ge}",
    "greater_than": "must be > {gt}",
    "string_too_short": "must not be empty",
    "literal_error": "must be {expected}",
}


def first_error(exc: ValidationError) -> DayProblem:
    """Turn the first pydantic error into a :class:`DayProblem`."""
    error = exc.errors(include_url=False)[0]
    template = _MESSAGES.get(error["type"])
    context = error.get("ctx", {})
    if template is not None:
        message = template.format(**context)
    else:
        message = str(error["msg"])
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        message = message[:1].lower() + message[1:]
    return DayProblem(field_path(tuple(error["loc"])), message)

"""Set-up errors: one line that names the option or field at fault."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from agent.errors import UserError


class SetupError(UserError):
    """A set-up value a user can fix; the message says which and how."""


def one_line(exc: ValidationError, labels: Mapping[str, str] | None = None) -> str:
    """The first problem of a validation error as ``label: message``.

    Args:
        exc: The pydantic error.
        labels: Field name -> how the user named it (``max_posts_per_day`` -> ``--max-per-day``).
    """
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    label = (labels or {}).get(field, field.replace("_", " "))
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        message = f"{message.lower()} (got {first.get('input')!r})"
    if first["type"] == "too_long":
        message = message.replace("List should", "give")
    return f"{label}: {message}" if label else message

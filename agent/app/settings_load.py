"""Loading the settings: the ``TWIN_*`` environment and ``.env`` read into
:class:`agent.settings.Settings`, or one line (a :class:`SettingsError`) naming the setting that
cannot be used and its fix."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo

if TYPE_CHECKING:
    from agent.settings import Settings

__all__ = ["SettingsError", "load_settings"]


class SettingsError(ValueError):
    """A ``TWIN_*`` value or the ``.env`` file is unusable; the message names it and the fix."""


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (e.g. ``data_dir``).

    Raises:
        SettingsError: A value does not validate, is not UTF-8, or ``.env`` is not UTF-8 text.
    """
    from agent.settings import ENV_FILE, ENV_PREFIX, Settings

    clean = {k: v for k, v in overrides.items() if v is not None}
    _refuse_undecodable_environment(ENV_PREFIX)
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"the {ENV_FILE} file {Path(ENV_FILE).resolve()} is not UTF-8 text "
            f"(byte 0x{exc.object[exc.start]:02x} at offset {exc.start}): save it as UTF-8"
        ) from None
    except ValidationError as exc:
        raise SettingsError(_explain(exc, Settings.model_fields, ENV_PREFIX, ENV_FILE)) from None


def _refuse_undecodable_environment(prefix: str) -> None:
    for name, value in os.environ.items():
        if name.upper().startswith(prefix) and not _is_text(value):
            raise SettingsError(f"{name} is not valid UTF-8 text: set it again as UTF-8")


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # bytes the OS could not decode arrive as lone surrogates
        return False
    return True


def _explain(
    exc: ValidationError, fields: Mapping[str, FieldInfo], prefix: str, env_file: str
) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    name = f"{prefix}{field.upper()}"
    info = fields.get(field)
    secret = info is not None and "SecretStr" in repr(info.annotation)
    shown = "" if secret else f" (got {_short(first.get('input'))})"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return (
        f"invalid setting {name}: {first['msg']}{shown}{more}; "
        f"fix it in the environment or in {env_file} ('twin config example' lists every setting)"
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

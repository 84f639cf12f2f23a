"""What the settings are and where each value came from: ``twin config show`` and ``.env.example``.

The field docstrings in :mod:`agent.settings` are the only documentation of a setting; both the
example file and ``twin config show`` are generated from them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from agent.settings import ENV_FILE, ENV_PREFIX, Settings

__all__ = ["SettingRow", "env_example", "env_name", "setting_rows"]

MASK = "***"

_DYNAMIC_DEFAULTS = {"data_dir": "the per-user data directory (e.g. ~/.local/share/twin-agent)"}


@dataclass(frozen=True)
class SettingRow:
    """One effective setting as ``twin config show`` prints it."""

    name: str
    value: str | None
    source: str
    """``default``, ``env``, ``.env`` or ``option`` (a command-line option)."""
    description: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "source": self.source,
            "description": self.description,
        }


def env_name(field: str) -> str:
    """The environment variable of a settings field."""
    return f"{ENV_PREFIX}{field.upper()}"


def _is_secret(info: FieldInfo) -> bool:
    return "SecretStr" in repr(info.annotation)


def _shown(field: str, value: Any, info: FieldInfo) -> str | None:
    if value is None:
        return None
    if _is_secret(info) or isinstance(value, SecretStr):
        return MASK
    if field == "database_url":
        from db.engine import mask_url

        return mask_url(str(value))
    if field == "broker_url":
        from agent.fleet.app import mask_broker_url

        return mask_broker_url(str(value))
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _dotenv_names(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    from dotenv import dotenv_values

    return {name.upper() for name in dotenv_values(path, encoding="utf-8")}


def setting_rows(
    settings: Settings, *, from_options: frozenset[str] = frozenset()
) -> list[SettingRow]:
    """Every setting's effective value (secrets masked) and its source.

    Args:
        settings: The loaded settings.
        from_options: Fields set by a command-line option (e.g. ``data_dir`` from --data-dir).
    """
    environment = {name.upper() for name in os.environ}
    dotenv = _dotenv_names(Path(ENV_FILE))
    rows = []
    for field, info in Settings.model_fields.items():
        name = env_name(field)
        if field in from_options:
            source = "option"
        elif name in environment:
            source = "env"
        elif name in dotenv:
            source = ENV_FILE
        else:
            source = "default"
        value = getattr(settings, field)
        if field == "database_url" and value is None:
            value = settings.resolved_database_url
        rows.append(SettingRow(name, _shown(field, value, info), source, info.description or ""))
    return rows


def _example_default(field: str, info: FieldInfo) -> str:
    if field in _DYNAMIC_DEFAULTS:
        return ""
    default = info.get_default(call_default_factory=True)
    if default is None or default is PydanticUndefined:
        return ""
    if isinstance(default, list | dict):
        return json.dumps(default)
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default)


def env_example() -> str:
    """The text of ``.env.example``: every setting, documented, commented out at its default."""
    lines = [
        "# Twin Agent settings. Copy to .env (or export them) and uncomment what you change.",
        "# Generated from agent/settings.py by 'twin config example'; do not edit by hand.",
        "",
    ]
    for field, info in Settings.model_fields.items():
        description = " ".join((info.description or "").split())
        if field in _DYNAMIC_DEFAULTS:
            description += f" Default: {_DYNAMIC_DEFAULTS[field]}."
        lines.append(f"# {description}")
        if _is_secret(info):
            lines.append("# (secret: never printed by 'twin config show')")
        lines.append(f"# {env_name(field)}={_example_default(field, info)}")
        lines.append("")
    return "\n".join(lines)

"""Prompt templates, one file per LLM task, loaded by name.

A template has a ``[system]`` and a ``[user]`` section; ``${name}`` placeholders are
filled with :class:`string.Template`. Every load reports the template's SHA-256 so a
run records exactly which prompt versions it used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

__all__ = ["Prompt", "load_prompt", "prompt_names"]


@dataclass(frozen=True)
class Prompt:
    """A loaded template: its name, text and content hash."""

    name: str
    system: str
    user: str
    sha256: str

    def messages(self, **values: object) -> list[BaseMessage]:
        """Render both sections with ``values`` (missing names are an error)."""
        text = {k: str(v) for k, v in values.items()}
        return [
            SystemMessage(Template(self.system).substitute(text)),
            HumanMessage(Template(self.user).substitute(text)),
        ]


def prompt_names() -> list[str]:
    return sorted(
        p.name.removesuffix(".txt")
        for p in resources.files(__package__).iterdir()
        if p.name.endswith(".txt")
    )


@cache
def load_prompt(name: str) -> Prompt:
    """Load ``prompts/<name>.txt``; raises KeyError naming the available prompts."""
    path = resources.files(__package__) / f"{name}.txt"
    if not path.is_file():
        raise KeyError(f"no prompt named {name!r}; available: {', '.join(prompt_names())}")
    raw = path.read_text(encoding="utf-8")
    if "[system]" not in raw or "[user]" not in raw:
        raise ValueError(f"prompt {name!r} needs a [system] and a [user] section")
    system = raw.split("[system]", 1)[1].split("[user]", 1)[0].strip()
    user = raw.split("[user]", 1)[1].strip()
    return Prompt(
        name=name, system=system, user=user, sha256=hashlib.sha256(raw.encode()).hexdigest()
    )

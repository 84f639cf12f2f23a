"""Caps on text a creator sends the agent, the same in the web chat and on the command line."""

from __future__ import annotations

from agent.errors import InputError

__all__ = ["MAX_MESSAGE_CHARS", "check_message"]

MAX_MESSAGE_CHARS = 2000
"""Longest chat message or directive: each is sent to the model every week, so it stays short."""


def check_message(text: str, *, what: str = "a message") -> str:
    """``text`` if it fits the cap and has words, else an :class:`InputError` saying so."""
    if not text.strip():
        raise InputError(f"{what} cannot be empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(
            f"{what} is {len(text)} characters; the limit is {MAX_MESSAGE_CHARS} (as in the web chat)"
        )
    return text

"""How much text the creator may send in one go: one chat message, one directive.

One cap for the web chat, ``twin chat`` and ``twin directives add``, so a directive is the
same size however it arrives (a directive is sent to the model every week).
"""

from __future__ import annotations

from agent.errors import InputError, UserError
from tools.untrusted import sanitize

__all__ = [
    "MAX_DIRECTIVE_CHARS",
    "MAX_MESSAGE_CHARS",
    "check_message",
    "clean_directive",
    "message_too_long",
]

MAX_MESSAGE_CHARS = 2000
"""Longest chat message, on the web and in the terminal."""
MAX_DIRECTIVE_CHARS = MAX_MESSAGE_CHARS
"""Longest directive text; a directive given in chat is one message."""


def message_too_long(text: str) -> str | None:
    """The one-line refusal for an over-long message, or None when it fits."""
    if len(text.strip()) > MAX_MESSAGE_CHARS:
        return (
            f"Messages are limited to {MAX_MESSAGE_CHARS} characters "
            f"(this one has {len(text.strip())}); say it in shorter parts."
        )
    return None


def check_message(text: str, *, what: str = "a message") -> str:
    """``text`` if it fits the cap and has words, else an :class:`InputError` (a usage error)."""
    if not text.strip():
        raise InputError(f"{what} cannot be empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(
            f"{what} is {len(text)} characters; the limit is {MAX_MESSAGE_CHARS} (as in the web chat)"
        )
    return text


def clean_directive(text: str) -> str:
    """The directive text to store: within the cap, without markup or control characters.

    Raises:
        UserError: The text is longer than the cap, or empty once cleaned.
    """
    if len(text.strip()) > MAX_DIRECTIVE_CHARS:
        raise UserError(
            f"a directive is limited to {MAX_DIRECTIVE_CHARS} characters "
            f"(this one has {len(text.strip())}); shorten it or split it in several"
        )
    clean = sanitize(text, max_chars=MAX_DIRECTIVE_CHARS)
    if not clean:
        raise UserError("the directive is empty once markup is removed; write it in words")
    return clean

"""Comment text is untrusted: what a model may see of it, and what a drafted reply may say.

A comment reaches the model only as quoted data inside the prompt's ``<inputs>`` JSON, after
:func:`quote_comment` has removed markup (HTML tags, Markdown links and code, the ``<inputs>``
delimiters themselves), control and invisible characters and links, and capped its length. No tool
is bound when replies are drafted, the inputs carry no secret, and nothing here writes directives.

:func:`check_draft` is the other side: a reply that carries a link, a mention of someone else, a
secret-looking string or talk of keys and prompts is refused, whatever wrote it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "COMMENT_MAX_CHARS",
    "REPLY_MAX_CHARS",
    "check_draft",
    "display_text",
    "quote_comment",
    "reply_limit",
]

COMMENT_MAX_CHARS = 400
"""Most characters of a comment a model is shown."""
REPLY_MAX_CHARS = 280
"""Replies stay short on every platform."""
PLATFORM_MAX = {
    "threads": 500,
    "linkedin": 1250,
    "instagram": 2200,
    "facebook": 8000,
    "youtube_shorts": 10000,
    "sandbox": 500,
}

_CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f]")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_IMAGE = re.compile(r"!\[[^\]]{0,200}\]\([^)]{0,500}\)")
_MD_LINK = re.compile(r"\[([^\]]{0,200})\]\([^)]{0,500}\)")
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]{0,300}>|<\s*/?\s*inputs?\s*>?", re.I)
_CODE = re.compile(r"```.*?```|`{1,3}", re.S)
_URL = re.compile(
    r"(https?://\S+|www\.\S+|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|io|ly|me|xyz|example|"
    r"link|app|top|co|info|biz)(/\S*)?\b)",
    re.I,
)
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.]{1,40})")
_SECRETISH = re.compile(r"\b[A-Za-z0-9_\-]{32,}\b|\b(EAA|IGQ|ya29\.|sk-|ghp_|xox[bp]-)\S+")
_FORBIDDEN_TALK = re.compile(
    r"\b(api[\s_-]?keys?|access[\s_-]?tokens?|refresh[\s_-]?tokens?|system prompt|my "
    r"(instructions|prompt)|developer mode|secret key)\b",
    re.I,
)


def quote_comment(text: str, *, max_chars: int = COMMENT_MAX_CHARS) -> str:
    """The comment as a model may see it: plain words, no markup or links, length-capped."""
    clean = unicodedata.normalize("NFKC", text or "")
    clean = _INVISIBLE.sub("", _CONTROL.sub(" ", clean))
    clean = _IMAGE.sub(" ", clean)
    clean = _MD_LINK.sub(r"\1", clean)
    clean = _TAG.sub(" ", clean)
    clean = _CODE.sub(" ", clean)
    clean = _URL.sub("[link]", clean)
    clean = " ".join(clean.replace("<", " ").replace(">", " ").split())
    if len(clean) > max_chars:
        clean = clean[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return clean


def display_text(text: str, *, max_chars: int | None = None) -> str:
    """A comment as a terminal or page may show it: no control or invisible characters."""
    clean = " ".join(_INVISIBLE.sub("", _CONTROL.sub(" ", text or "")).split())
    if max_chars is not None and len(clean) > max_chars:
        clean = clean[: max_chars - 1] + "…"
    return clean


def reply_limit(platform: str) -> int:
    """Most characters of a reply on ``platform`` (the short-reply cap or the platform's limit)."""
    return min(REPLY_MAX_CHARS, PLATFORM_MAX.get(platform, REPLY_MAX_CHARS))


def check_draft(
    draft: str, *, commenter: str, max_chars: int, secrets: Iterable[str] = ()
) -> str | None:
    """Why a drafted reply may not be posted, or None when it may.

    Args:
        draft: The reply text.
        commenter: The handle of the person answered (the only mention allowed).
        max_chars: The reply's length limit.
        secrets: Exact strings that must never appear (tokens in use).

    Returns:
        A one-line reason, or None.
    """
    text = draft.strip()
    if not text:
        return "the reply is empty"
    if len(text) > max_chars:
        return f"the reply is {len(text)} characters; the limit is {max_chars}"
    if _URL.search(text):
        return "the reply contains a link"
    allowed = commenter.lstrip("@").casefold()
    others = [m for m in _MENTION.findall(text) if m.casefold().rstrip(".") != allowed]
    if others:
        return f"the reply mentions @{others[0]}, who did not write the comment"
    if any(secret and len(secret) >= 6 and secret in text for secret in secrets):
        return "the reply contains a secret"
    if _SECRETISH.search(text):
        return "the reply contains a string that looks like a key or token"
    if _FORBIDDEN_TALK.search(text):
        return "the reply talks about keys, tokens or prompts"
    return None

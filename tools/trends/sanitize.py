"""Feed text is untrusted: markup stripped, entities decoded, whitespace collapsed, lengths capped."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "MAX_SUMMARY",
    "MAX_TAGS",
    "MAX_TITLE",
    "clean_link",
    "clean_tags",
    "clean_text",
]

MAX_TITLE = 300
MAX_SUMMARY = 600
MAX_TAGS = 12
MAX_TAG = 48
MAX_LINK = 2000

_DROP_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "svg", "math"}
_SPACE = re.compile(r"\s+")
_LEFTOVER_TAG = re.compile(r"<[A-Za-z/!?][^>]*(?:>|$)")
"""A tag the parser left as text because it never closed (``<b tag``)."""


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment, dropping tags, comments and script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._skip += 1
        elif tag in {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT and self._skip:
            self._skip -= 1
        elif tag in {"p", "div", "li", "tr", "h1", "h2", "h3", "h4"}:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _visible(ch: str) -> bool:
    # Control, format (zero-width, bidi overrides), private-use and unassigned characters go.
    return unicodedata.category(ch)[0] != "C" or ch in "\t\n"


def clean_text(value: object, *, limit: int = MAX_SUMMARY) -> str:
    """Plain, single-line text of at most ``limit`` characters (cut at a word, with an ellipsis).

    Args:
        value: Text that may hold HTML, entities, control characters or nothing at all.
        limit: Longest result.
    """
    if value is None:
        return ""
    text = str(value)
    if "<" in text or "&" in text:
        parser = _TextOnly()
        try:
            parser.feed(text)
            parser.close()
            text = "".join(parser.parts)
        except (AssertionError, ValueError):  # malformed markup: fall back to a crude strip
            text = html.unescape(re.sub(r"<[^>]*>", " ", text))
        text = _LEFTOVER_TAG.sub(" ", text)
    text = "".join(ch for ch in unicodedata.normalize("NFC", text) if _visible(ch))
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def clean_tags(values: object) -> list[str]:
    """At most ``MAX_TAGS`` short, distinct, lower-case tags."""
    if not isinstance(values, (list, tuple)):
        return []
    out: list[str] = []
    for value in values:
        tag = clean_text(value, limit=MAX_TAG).lower().lstrip("#")
        if tag and tag not in out:
            out.append(tag)
        if len(out) >= MAX_TAGS:
            break
    return out


def clean_link(value: object) -> str | None:
    """An absolute http(s) URL without credentials, or None for anything else."""
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw or len(raw) > MAX_LINK or any(ch.isspace() or not _visible(ch) for ch in raw):
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    host = parts.hostname + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), host, parts.path, parts.query, parts.fragment))

"""Turn untrusted text into plain, bounded text: no markup, no control characters."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

__all__ = ["ELLIPSIS", "plain_text", "sanitize", "strip_invisible"]

ELLIPSIS = "…"
_MAX_UNESCAPE_ROUNDS = 4
_KEPT_FORMAT = {"\u200d"}
"""Zero-width joiner: part of emoji sequences (👩‍💻), harmless on its own."""
_DROPPED_BLOCKS = frozenset({"script", "style", "template", "noscript"})
_TAG_LIKE = re.compile(r"</?[A-Za-z!?/][^<>]{0,2000}>")
_MD_IMAGE = re.compile(r"!\[([^\]]{0,300})\]\([^)\s]{0,2000}(?:\s+\"[^\"]*\")?\)")
_MD_LINK = re.compile(r"\[([^\]]{1,300})\]\([^)\s]{0,2000}(?:\s+\"[^\"]*\")?\)")
_UNCLOSED = re.compile(r"<[A-Za-z/!?][^<>]*$")
_SPACE = re.compile(r"\s+")


class _TextOnly(HTMLParser):
    """Collects text outside tags; drops the content of script-like blocks entirely."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_BLOCKS:
            self._skipping += 1
        elif tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_BLOCKS and self._skipping:
            self._skipping -= 1
        elif tag in ("p", "div", "li", "tr", "td", "th"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        if not self._skipping:
            self.parts.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self._skipping:
            self.parts.append(f"&#{name};")


def _strip_tags(text: str) -> str:
    parser = _TextOnly()
    # An unterminated tag at the end ("<b onclick=...") would be passed on as text.
    parser.feed(_UNCLOSED.sub(" ", text))
    parser.close()
    return "".join(parser.parts)


def strip_invisible(text: str) -> str:
    """Remove control, format (bidi overrides, zero-width), private-use and surrogate characters.

    Tabs and line breaks become spaces; the zero-width joiner inside emoji stays.
    """
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\t\n\r\f\v":
            out.append(" ")
        elif category in ("Cc", "Cs", "Co", "Cn") or (
            category == "Cf" and char not in _KEPT_FORMAT
        ):
            continue
        else:
            out.append(char)
    return "".join(out)


def plain_text(text: str) -> str:
    """Markup removed and entities decoded, repeatedly, so encoded markup cannot survive.

    ``&lt;script&gt;`` decodes to ``<script>``, which is then stripped like any tag.
    """
    current = text
    for _ in range(_MAX_UNESCAPE_ROUNDS):
        stripped = _MD_LINK.sub(r"\1", _MD_IMAGE.sub(r" \1 ", _strip_tags(current)))
        decoded = html.unescape(stripped)
        if decoded == current:
            break
        current = decoded
    return _TAG_LIKE.sub(" ", current)


def _cap(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    if max_chars == 1:
        return ELLIPSIS
    room = max_chars - len(ELLIPSIS)
    cut = text[: room + 1]
    space = cut.rfind(" ")
    # Cut on the last word boundary unless that throws away most of the room (long words,
    # scripts written without spaces): then cut inside the word.
    head = cut[:space] if space >= room // 2 else text[:room]
    return head.rstrip(" ,;:-–—") + ELLIPSIS


def sanitize(text: str, *, max_chars: int) -> str:
    """Plain, single-line, bounded text from untrusted input.

    Strips HTML and Markdown link markup (the content of ``<script>``/``<style>`` blocks is
    dropped, not kept as text), decodes entities without letting encoded markup through,
    removes control and invisible characters, collapses whitespace and caps the length on a
    word boundary, ending with ``…`` when it cut.

    Args:
        text: Untrusted text (a trend title, feed item, comment or directive).
        max_chars: Longest result, ellipsis included (at least 1).

    Returns:
        The cleaned text; empty when nothing readable was left.

    Raises:
        ValueError: If ``max_chars`` is below 1.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    clean = unicodedata.normalize("NFC", strip_invisible(plain_text(str(text))))
    clean = _SPACE.sub(" ", strip_invisible(clean)).strip()
    return _cap(clean, max_chars)

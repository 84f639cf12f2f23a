"""Brand text rules on a script or a caption: banned words out (or flagged), disclosure in."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from db.schemas import BrandGuidelines

_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_DOUBLE_PUNCT = re.compile(r"([,;:])\s*([,.;:!?])")
_SPACES = re.compile(r"[ \t]{2,}")


class BrandedText(BaseModel):
    """A text after the brand's rules, and what they changed."""

    text: str
    removed: list[str] = Field(default_factory=list)
    """Banned words taken out, as they appeared."""
    flagged: list[str] = Field(default_factory=list)
    """Banned words left in (``banned_word_action = flag``), as they appeared."""
    disclosure_added: bool = False


def _pattern(word: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in word.split()]
    return re.compile(r"(?<![\w#])#?" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _tidy(text: str) -> str:
    lines = []
    for line in text.splitlines():
        line = _SPACES.sub(" ", line)
        line = _SPACE_BEFORE_PUNCT.sub(r"\1", line)
        line = _DOUBLE_PUNCT.sub(r"\2", line)
        lines.append(line.strip().lstrip(",;:").strip())
    return "\n".join(lines).strip()


def apply_brand_rules(
    text: str, brand: BrandGuidelines, *, kind: Literal["script", "caption"]
) -> BrandedText:
    """Apply the brand's text rules to one script body or caption.

    Banned words and phrases match whole words in any case (``#word`` too). With
    ``banned_word_action = remove`` they are cut and the spacing mended; with ``flag`` the
    text stays and they are reported. A caption gets the required disclosure on its own
    last line unless it already carries it; a script gets it as its last sentence only
    when ``disclose_in_script`` is set.

    Args:
        text: The script body or caption.
        brand: The agent's brand guidelines.
        kind: ``script`` (spoken) or ``caption`` (posted).
    """
    found: list[str] = []
    out = text
    for word in brand.banned_words:
        pattern = _pattern(word)
        found += [m.group(0) for m in pattern.finditer(out)]
        if brand.banned_word_action == "remove":
            out = pattern.sub("", out)
    if brand.banned_word_action == "remove" and found:
        out = _tidy(out)
        if out and text.lstrip()[:1].isupper():
            out = out[0].upper() + out[1:]
    disclosure = brand.required_disclosure
    added = False
    wants = kind == "caption" or brand.disclose_in_script
    if disclosure and wants and disclosure.lower() not in out.lower():
        if kind == "caption":
            out = f"{out.rstrip()}\n{disclosure}" if out.strip() else disclosure
        else:
            body = out.rstrip()
            if body and body[-1] not in ".!?":
                body += "."
            end = "" if disclosure[-1] in ".!?" else "."
            out = f"{body} {disclosure}{end}".strip()
        added = True
    removed = found if brand.banned_word_action == "remove" else []
    flagged = found if brand.banned_word_action == "flag" else []
    return BrandedText(text=out, removed=removed, flagged=flagged, disclosure_added=added)

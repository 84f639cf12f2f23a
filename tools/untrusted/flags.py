"""Read untrusted text for what it should not carry: orders for the agent, secrets, active markup."""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tools.untrusted.patterns import (
    INSTRUCTION_RULES,
    MARKUP_RULES,
    SECRET_RULES,
    FlagKind,
    Rule,
)
from tools.untrusted.sanitize import strip_invisible

__all__ = [
    "Flag",
    "find_secrets",
    "inspect",
    "mask",
    "normalise",
    "opaque_tokens",
    "without_secrets",
]

_EXCERPT_CHARS = 80
_MAX_INSPECTED = 20_000
"""Longer text is read in its first and last parts: a payload hides at either end."""
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})
_HSPACE = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_HEX = re.compile(r"(?<![A-Za-z0-9_\-])[0-9a-fA-F]{32,}(?![A-Za-z0-9_\-])")
_B64 = re.compile(r"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{40,}={0,2}")


@dataclass(frozen=True)
class Flag:
    """One reason to distrust a piece of text.

    Attributes:
        kind: instruction, secret or markup.
        rule: The id of the rule that matched (see :mod:`tools.untrusted.patterns`).
        reason: A sentence for the reviewer.
        excerpt: Where it matched, shortened; secrets are masked, never shown whole.
        source: Which input it came from (``trend``, ``caption:instagram``, ...), when known.
    """

    kind: FlagKind
    rule: str
    reason: str
    excerpt: str
    source: str = ""

    def note(self) -> str:
        """One line for a review: where, why and what."""
        where = f"{self.source}: " if self.source else ""
        return f"untrusted text ({where}{self.reason}): {self.excerpt!r}"

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind.value,
            "rule": self.rule,
            "reason": self.reason,
            "excerpt": self.excerpt,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flag:
        return cls(
            kind=FlagKind(str(data["kind"])),
            rule=str(data["rule"]),
            reason=str(data.get("reason", "")),
            excerpt=str(data.get("excerpt", "")),
            source=str(data.get("source", "")),
        )


def normalise(text: str) -> str:
    """The form instruction and markup rules read: NFKC, case-folded, invisibles removed,
    spaces collapsed (line breaks kept, since role markers start a line)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept_lines = "".join(
        ch if ch == "\n" else (" " if ch in "\t\r\f\v" else ch)
        for ch in folded
        if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf") or ch == "\u200d"
    )
    return _NEWLINES.sub("\n", _HSPACE.sub(" ", kept_lines)).strip()


def mask(secret: str) -> str:
    """A secret shown safely: its first four characters and its length."""
    return f"{secret[:4]}…[{len(secret)} chars]"


def _excerpt(text: str, start: int, end: int) -> str:
    lo = max(0, start - 20)
    hi = min(len(text), max(end, start + 1) + 20)
    piece = strip_invisible(text[lo:hi]).strip()
    piece = re.sub(r"\s+", " ", piece)
    if len(piece) > _EXCERPT_CHARS:
        piece = piece[: _EXCERPT_CHARS - 1] + "…"
    return ("…" if lo else "") + piece + ("…" if hi < len(text) else "")


def _entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def opaque_tokens(text: str) -> list[str]:
    """Long hex or base64 strings that look random (a shape plus an entropy test)."""
    found = [m.group(0) for m in _HEX.finditer(text) if re.search(r"[0-9]", m.group(0))]
    found = [h for h in found if re.search(r"[a-fA-F]", h)]
    for match in _B64.finditer(text):
        token = match.group(0)
        if (
            re.search(r"[a-z]", token)
            and re.search(r"[A-Z]", token)
            and re.search(r"[0-9]", token)
            and _entropy(token) >= 4.0
            and not any(token in h or h in token for h in found)
        ):
            found.append(token)
    return found


def _bounded(text: str) -> str:
    if len(text) <= _MAX_INSPECTED:
        return text
    half = _MAX_INSPECTED // 2
    return text[:half] + "\n" + text[-half:]


def _matches(rule: Rule, original: str, variants: Iterable[str]) -> tuple[str, int, int] | None:
    for candidate in [original] if rule.case_sensitive else variants:
        for match in rule.pattern.finditer(candidate):
            if rule.check is None or rule.check(match.group(0)):
                return candidate, match.start(), match.end()
    return None


def find_secrets(text: str) -> list[str]:
    """Every secret-shaped substring of ``text`` (for redaction before storing)."""
    text = _bounded(str(text))
    found: list[str] = []
    for rule in SECRET_RULES:
        for match in rule.pattern.finditer(text):
            if rule.check is None or rule.check(match.group(0)):
                found.append(match.group(0))
    found += opaque_tokens(text)
    ordered = sorted(set(found), key=lambda s: (-len(s), s))
    return [s for i, s in enumerate(ordered) if not any(s in longer for longer in ordered[:i])]


def without_secrets(text: str) -> str:
    """``text`` with every secret-shaped substring replaced by its :func:`mask`."""
    for secret in find_secrets(text):
        text = text.replace(secret, mask(secret))
    return text


def inspect(text: str, *, source: str = "") -> list[Flag]:
    """Flags for ``text``: instructions aimed at the agent, secret-like strings, active markup.

    The text is read as written and with HTML entities decoded (``&lt;script&gt;`` counts as
    a script tag); instruction rules also read a de-leeted copy (``1gn0re`` as ``ignore``).

    Args:
        text: Untrusted text.
        source: Where it came from, copied onto each flag.

    Returns:
        One flag per rule that matched: secrets first, then instructions, then markup
        (empty for ordinary text).
    """
    raw = _bounded(str(text))
    decoded = html.unescape(html.unescape(raw))
    flags: list[Flag] = []
    named: list[str] = []
    for rule in SECRET_RULES:
        hit = _matches(rule, decoded, [decoded])
        if hit:
            where, start, end = hit
            named.append(where[start:end])
            flags.append(Flag(rule.kind, rule.name, rule.reason, mask(named[-1]), source))
    tokens = [t for t in opaque_tokens(decoded) if not any(t in n or n in t for n in named)]
    if tokens:
        flags.append(
            Flag(
                FlagKind.secret,
                "opaque_token",
                "contains a long random-looking token (hex or base64)",
                mask(tokens[0]),
                source,
            )
        )
    # Excerpts of the other rules come from a copy with secrets masked, so none leaks.
    clean_raw, clean = without_secrets(raw), without_secrets(decoded)
    plain = normalise(clean)
    instruction_variants = [plain, plain.translate(_LEET)]
    markup_variants = [normalise(clean_raw), plain]
    for rule in INSTRUCTION_RULES:
        hit = _matches(rule, clean, instruction_variants)
        if hit:
            flags.append(Flag(rule.kind, rule.name, rule.reason, _excerpt(*hit), source))
    for rule in MARKUP_RULES:
        hit = _matches(rule, clean, markup_variants)
        if hit:
            flags.append(Flag(rule.kind, rule.name, rule.reason, _excerpt(*hit), source))
    return flags

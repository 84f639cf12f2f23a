"""Shipped fonts (DejaVu, openly licensed) and glyph coverage checks with fontTools."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont, features

FONT_DIR = Path(__file__).parent / "fonts"
FALLBACK_FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")
HAS_RAQM = bool(features.check("raqm"))

# Joiners, variation selectors, skin-tone modifiers and keycap marks: invisible helpers
# of emoji sequences; dropped silently when the emoji itself is dropped.
_IGNORABLE = {0x200D, 0xFE0E, 0xFE0F, 0x20E3, *range(0x1F3FB, 0x1F400)}


@lru_cache(maxsize=16)
def coverage(font_name: str) -> frozenset[int]:
    """Code points the shipped font ``font_name`` has glyphs for."""
    font = TTFont(FONT_DIR / font_name, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
        return frozenset(cmap)
    finally:
        font.close()


@lru_cache(maxsize=128)
def load_font(font_name: str, size: int) -> ImageFont.FreeTypeFont:
    """Load a shipped font at ``size`` pixels, with complex-script shaping when available."""
    engine = ImageFont.Layout.RAQM if HAS_RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(FONT_DIR / font_name), size, layout_engine=engine)


def is_rtl(text: str) -> bool:
    """True when ``text`` holds right-to-left letters (Arabic, Hebrew, ...)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


class GlyphFilter:
    """Picks a shipped font for each word and drops characters no shipped font can draw."""

    def __init__(self, primary: str) -> None:
        """Args:
        primary: file name of the preferred font; the DejaVu Sans faces are the fallbacks.
        """
        self.chain = [primary, *(f for f in FALLBACK_FONTS if f != primary)]
        self.dropped: set[str] = set()

    def clean(self, word: str) -> tuple[str, str]:
        """Return ``(drawable_text, font_name)`` for ``word``; unknown glyphs are removed."""
        keep = []
        for ch in word:
            cp = ord(ch)
            if cp in _IGNORABLE or unicodedata.category(ch) in ("Cc", "Cf"):
                continue
            if ch.isspace() or any(cp in coverage(f) for f in self.chain):
                keep.append(ch)
            else:
                self.dropped.add(ch)
        text = "".join(keep)
        for font_name in self.chain:
            cov = coverage(font_name)
            if all(ord(c) in cov or c.isspace() for c in text):
                return text, font_name
        # Mixed scripts no single font covers: keep what the best font can draw.
        best = max(self.chain, key=lambda f: sum(ord(c) in coverage(f) for c in text))
        cov = coverage(best)
        for c in text:
            if ord(c) not in cov and not c.isspace():
                self.dropped.add(c)
        return "".join(c for c in text if ord(c) in cov or c.isspace()), best

    def warnings(self) -> list[str]:
        """One warning naming the characters that were left out, if any."""
        if not self.dropped:
            return []
        shown = " ".join(sorted(self.dropped)[:12])
        return [
            f"{len(self.dropped)} character(s) have no glyph in the shipped fonts and were "
            f"left out of the captions/title: {shown}"
        ]

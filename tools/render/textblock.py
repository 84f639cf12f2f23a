"""Fit words into lines (wrap, shrink, split very long words) and draw them as an RGBA sprite."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from tools.render.fonts import HAS_RAQM, is_rtl, load_font

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Word:
    """One drawable word: cleaned text, its font and the index of the source word."""

    text: str
    font: str
    index: int

    @property
    def rtl(self) -> bool:
        """True for right-to-left words."""
        return is_rtl(self.text)


@dataclass(frozen=True)
class BlockLook:
    """How a block of text is painted."""

    fill: RGB
    stroke: RGB | None = None
    stroke_frac: float = 0.0
    highlight: RGB | None = None
    highlight_pill: bool = False
    highlight_text: RGB | None = None
    box: RGBA | None = None
    shadow: bool = False


@dataclass(frozen=True)
class Layout:
    """Words broken into lines at one font size."""

    size: int
    words: tuple[Word, ...]
    lines: tuple[tuple[int, ...], ...]


def _direction(word: Word) -> str | None:
    return "rtl" if (word.rtl and HAS_RAQM) else None


def _visual(word: Word) -> str:
    # Without a shaping engine, at least put right-to-left letters in visual order.
    return word.text[::-1] if (word.rtl and not HAS_RAQM) else word.text


def word_width(word: Word, size: int) -> float:
    """Advance width of ``word`` at ``size`` pixels."""
    return float(load_font(word.font, size).getlength(_visual(word), direction=_direction(word)))


def _wrap(words: tuple[Word, ...], size: int, max_width: float) -> list[tuple[int, ...]] | None:
    space = load_font(words[0].font, size).getlength(" ") if words else 0.0
    lines: list[tuple[int, ...]] = []
    current: list[int] = []
    width = 0.0
    for i, w in enumerate(words):
        ww = word_width(w, size)
        if ww > max_width:
            return None
        extra = ww if not current else space + ww
        if current and width + extra > max_width:
            lines.append(tuple(current))
            current, width = [i], ww
        else:
            current.append(i)
            width += extra
    if current:
        lines.append(tuple(current))
    return lines


def _split_long(word: Word, size: int, max_width: float) -> list[Word]:
    pieces: list[Word] = []
    chunk = ""
    for ch in word.text:
        trial = Word(chunk + ch, word.font, word.index)
        if chunk and word_width(trial, size) > max_width:
            pieces.append(Word(chunk, word.font, word.index))
            chunk = ch
        else:
            chunk += ch
    if chunk:
        pieces.append(Word(chunk, word.font, word.index))
    return pieces


def fit(words: list[Word], max_width: float, max_lines: int, size: int, min_size: int) -> Layout:
    """Largest size <= ``size`` at which ``words`` fit in ``max_lines`` lines of ``max_width``.

    Words wider than the line even at ``min_size`` are split into pieces.
    """
    ws = tuple(w for w in words if w.text.strip())
    # Prefer one line at a slightly smaller size over a lonely word on a second line.
    s = size
    while s >= max(min_size, int(size * 0.8)):
        lines = _wrap(ws, s, max_width)
        if lines is not None and len(lines) == 1:
            return Layout(s, ws, tuple(lines))
        s = int(s * 0.93)
    s = size
    while s >= min_size:
        lines = _wrap(ws, s, max_width)
        if lines is not None and len(lines) <= max_lines:
            return Layout(s, ws, tuple(lines))
        s = int(s * 0.9)
    s = min_size
    split: list[Word] = []
    for w in ws:
        split.extend(_split_long(w, s, max_width) if word_width(w, s) > max_width else [w])
    lines = _wrap(tuple(split), s, max_width) or [tuple(range(len(split)))]
    return Layout(s, tuple(split), tuple(lines))


def draw_block(
    layout: Layout, look: BlockLook, highlight_index: int | None = None
) -> NDArray[np.uint8]:
    """Draw ``layout`` centred line by line; return an RGBA array tightly sized with padding."""
    size = layout.size
    if not layout.words:
        return np.zeros((2, 2, 4), dtype=np.uint8)
    ref = load_font(layout.words[0].font, size)
    ascent, descent = ref.getmetrics()
    line_h = int((ascent + descent) * 1.08)
    stroke_w = max(1, round(size * look.stroke_frac)) if look.stroke else 0
    pad_x = int(size * (0.55 if look.box else 0.3)) + stroke_w
    pad_y = int(size * (0.35 if look.box else 0.2)) + stroke_w
    space = ref.getlength(" ") * (1.7 if look.highlight_pill else 1.0)
    widths = [word_width(w, size) for w in layout.words]
    line_widths = [sum(widths[i] for i in ln) + space * (len(ln) - 1) for ln in layout.lines]
    inner_w = int(max(line_widths)) + 1
    W = inner_w + 2 * pad_x
    H = line_h * len(layout.lines) + 2 * pad_y
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    if look.box:
        draw.rounded_rectangle((0, 0, W - 1, H - 1), radius=int(size * 0.4), fill=look.box)
    for li, ln in enumerate(layout.lines):
        order = list(ln)
        if sum(layout.words[i].rtl for i in ln) * 2 > len(ln):
            order.reverse()
        x = pad_x + (inner_w - line_widths[li]) / 2
        baseline = pad_y + li * line_h + ascent
        for i in order:
            w = layout.words[i]
            font = load_font(w.font, size)
            lit = highlight_index is not None and w.index == highlight_index
            fill = look.fill
            if lit and look.highlight is not None:
                if look.highlight_pill:
                    px = size * 0.16
                    draw.rounded_rectangle(
                        (
                            x - px,
                            baseline - ascent * 0.92,
                            x + widths[i] + px,
                            baseline + descent * 0.9,
                        ),
                        radius=int(size * 0.22),
                        fill=(*look.highlight, 255),
                    )
                    fill = look.highlight_text or look.fill
                else:
                    fill = look.highlight
            use_stroke = look.stroke is not None and not (lit and look.highlight_pill)
            if look.shadow:
                off = max(2, size // 18)
                draw.text(
                    (x + off, baseline + off),
                    _visual(w),
                    font=font,
                    fill=(0, 0, 0, 150),
                    anchor="ls",
                    direction=_direction(w),
                )
            draw.text(
                (x, baseline),
                _visual(w),
                font=font,
                fill=(*fill, 255),
                anchor="ls",
                direction=_direction(w),
                stroke_width=stroke_w if use_stroke else 0,
                stroke_fill=(*look.stroke, 255) if (use_stroke and look.stroke) else None,
            )
            x += widths[i] + space
    return np.asarray(img)

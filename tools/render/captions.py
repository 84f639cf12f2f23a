"""Word-timed captions: 2-4 words at a time, the spoken word highlighted."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from tools.render.fonts import GlyphFilter
from tools.render.textblock import BlockLook, Layout, Word, fit
from tools.tts.base import WordTiming

_MAX_WORDS = 4
_MAX_CHARS = 22
_BREAK_GAP_MS = 600
_HOLD_MS = 400


@dataclass(frozen=True)
class CaptionGroup:
    """Words shown together, from ``start_ms`` until ``end_ms``."""

    word_starts: tuple[int, ...]
    start_ms: int
    end_ms: int
    layout: Layout


def group_words(words: list[WordTiming]) -> list[list[int]]:
    """Split word indices into caption groups of 2-4 words (1 when a word stands alone)."""
    groups: list[list[int]] = []
    cur: list[int] = []
    chars = 0
    for i, w in enumerate(words):
        if cur:
            prev = words[cur[-1]]
            too_long = len(cur) >= _MAX_WORDS or chars + 1 + len(w.word) > _MAX_CHARS
            pause = w.start_ms - prev.end_ms > _BREAK_GAP_MS
            sentence = prev.word.rstrip()[-1:] in ".!?;:" and len(cur) >= 2
            comma = prev.word.rstrip()[-1:] == "," and len(cur) >= 3
            if too_long or pause or sentence or comma:
                groups.append(cur)
                cur, chars = [], 0
        cur.append(i)
        chars += len(w.word) + (1 if chars else 0)
    if cur:
        groups.append(cur)
    return groups


class CaptionTrack:
    """Caption layouts for a whole reel and the caption state at any time."""

    def __init__(
        self,
        words: list[WordTiming],
        glyphs: GlyphFilter,
        *,
        uppercase: bool,
        max_width: float,
        size: int,
        min_size: int,
        end_ms: int,
    ) -> None:
        """Lay out every caption group once.

        Args:
            words: word timings of the speech.
            glyphs: font chooser that drops glyphs no shipped font has.
            uppercase: upper-case the caption text (style choice).
            max_width: widest line in pixels.
            size: preferred font size in pixels.
            min_size: smallest font size before long words are split.
            end_ms: end of the reel; the last group stays until then.
        """
        self.words = words
        self.groups: list[CaptionGroup] = []
        index_groups = group_words(words)
        for gi, idx in enumerate(index_groups):
            drawable: list[Word] = []
            for i in idx:
                raw = words[i].word.upper() if uppercase else words[i].word
                text, font = glyphs.clean(raw)
                drawable.append(Word(text, font, i))
            layout = fit(drawable, max_width, 2, size, min_size)
            start = words[idx[0]].start_ms
            if gi + 1 < len(index_groups):
                nxt = words[index_groups[gi + 1][0]].start_ms
                end = min(nxt, max(words[idx[-1]].end_ms + _HOLD_MS, start + 1))
                if nxt - end < 250:
                    end = nxt
            else:
                end = end_ms
            self.groups.append(
                CaptionGroup(tuple(words[i].start_ms for i in idx), start, end, layout)
            )
        self._starts = [g.start_ms for g in self.groups]
        self._first_index = [idx[0] for idx in index_groups]

    def state_at(self, t_ms: float) -> tuple[int, int] | None:
        """``(group, highlighted word index)`` shown at ``t_ms``, or None for no caption."""
        gi = bisect.bisect_right(self._starts, t_ms) - 1
        if gi < 0:
            return None
        g = self.groups[gi]
        if t_ms >= g.end_ms or not g.layout.words:
            return None
        k = bisect.bisect_right(g.word_starts, t_ms) - 1
        return gi, self._first_index[gi] + max(k, 0)


def caption_look(
    fill: tuple[int, int, int],
    stroke: tuple[int, int, int],
    highlight: tuple[int, int, int] | None,
    pill: bool,
    highlight_text: tuple[int, int, int],
    box: tuple[int, int, int, int] | None,
) -> BlockLook:
    """Caption painting for a style; ``highlight=None`` disables the word highlight."""
    return BlockLook(
        fill=fill,
        stroke=None if box else stroke,
        stroke_frac=0.09,
        highlight=highlight,
        highlight_pill=pill,
        highlight_text=highlight_text,
        box=box,
        shadow=box is None,
    )

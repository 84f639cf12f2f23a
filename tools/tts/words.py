"""Split text into words and turn per-position times into word timings.

Both engines report *where in the text* a sound starts (eSpeak: a character
position per spoken word; ElevenLabs: a time per character). This module maps
those back onto the whitespace-separated words of the input, so captions show
the words exactly as they were written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from tools.tts.base import WordTiming

_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Token:
    """One whitespace-separated word of the input and its character span."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` at whitespace, keeping each word's code-point span.

    Args:
        text: The text as given to the engine.

    Returns:
        The words in order, with ``start`` inclusive and ``end`` exclusive.
    """
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def is_speakable(word: str) -> bool:
    """Whether ``word`` has anything besides punctuation and symbols (emoji, dashes)."""
    return any(unicodedata.category(ch)[0] not in "PSZC" for ch in word)


def token_at(tokens: list[Token], position: int) -> int | None:
    """Index of the word covering ``position``, or of the closest word before it.

    A position that falls in the whitespace between two words belongs to the word
    before it (engines report trailing sounds there); one before the first word
    belongs to the first word.

    Args:
        tokens: Output of :func:`tokenize`.
        position: A 0-based code-point position in the text.

    Returns:
        The token index, or ``None`` when there are no tokens.
    """
    if not tokens:
        return None
    low, high = 0, len(tokens) - 1
    if position < tokens[0].start:
        return 0
    while low < high:
        mid = (low + high + 1) // 2
        if tokens[mid].start <= position:
            low = mid
        else:
            high = mid - 1
    return low


def timings_from_starts(
    tokens: list[Token], starts: Iterable[tuple[int, int]], duration_ms: int
) -> list[WordTiming]:
    """Build word timings from (text position, start time) marks.

    Several marks on one word (a number read as several words, a hyphenated
    word) merge into that word, which starts at its earliest mark. A marked word
    lasts until the next marked word starts, the last one until the end of the
    audio. A pronounceable word without a mark of its own was spoken together
    with its neighbour (eSpeak reads "for a" as one word), so it shares the
    neighbour's time in proportion to its length. Words of only punctuation or
    symbols with no mark were not spoken and are left out.

    Args:
        tokens: Output of :func:`tokenize`.
        starts: Pairs of (0-based code-point position, start in ms).
        duration_ms: Length of the audio.

    Returns:
        Monotone word timings within ``[0, duration_ms]``.
    """
    first_start: dict[int, int] = {}
    for position, start_ms in starts:
        index = token_at(tokens, position)
        if index is None:
            continue
        clamped = min(max(start_ms, 0), duration_ms)
        first_start[index] = min(first_start.get(index, clamped), clamped)
    if not first_start:
        return []
    groups: list[list[int]] = []
    leading: list[int] = []
    for index, token in enumerate(tokens):
        if index in first_start:
            groups.append([*leading, index])
            leading = []
        elif is_speakable(token.text):
            (groups[-1] if groups else leading).append(index)
    words: list[WordTiming] = []
    floor = 0
    for n, group in enumerate(groups):
        anchor = next(i for i in group if i in first_start)
        group_start = max(first_start[anchor], floor)
        following = (
            first_start[next(i for i in groups[n + 1] if i in first_start)]
            if n + 1 < len(groups)
            else duration_ms
        )
        group_end = max(min(following, duration_ms), group_start)
        total = sum(len(tokens[i].text) for i in group)
        elapsed = 0
        for i in group:
            start = group_start + (group_end - group_start) * elapsed // total
            elapsed += len(tokens[i].text)
            end = group_start + (group_end - group_start) * elapsed // total
            words.append(WordTiming(word=tokens[i].text, start_ms=start, end_ms=end))
        floor = group_start
    return words


def timings_from_spans(
    tokens: list[Token], spans: Iterable[tuple[int, float, float]], duration_ms: int
) -> list[WordTiming]:
    """Build word timings from per-character (position, start s, end s) spans.

    A word starts at its first character's start and ends at its last
    character's end. Words of only punctuation or symbols are left out, as
    they are not heard.

    Args:
        tokens: Output of :func:`tokenize`.
        spans: Per-character 0-based position with start and end in seconds.
        duration_ms: Length of the audio.

    Returns:
        Monotone word timings within ``[0, duration_ms]``.
    """
    bounds: dict[int, tuple[float, float]] = {}
    for position, start_s, end_s in spans:
        index = token_at(tokens, position)
        if index is None or not (tokens[index].start <= position < tokens[index].end):
            continue
        low, high = bounds.get(index, (start_s, end_s))
        bounds[index] = (min(low, start_s), max(high, end_s))
    words: list[WordTiming] = []
    floor = 0
    for index in sorted(bounds):
        if not is_speakable(tokens[index].text):
            continue
        start_s, end_s = bounds[index]
        start = min(max(round(start_s * 1000), floor), duration_ms)
        end = min(max(round(end_s * 1000), start), duration_ms)
        words.append(WordTiming(word=tokens[index].text, start_ms=start, end_ms=end))
        floor = start
    return words

"""Caption and hook-title sprites, placed inside the platform-safe area and cached."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from numpy.typing import NDArray

from tools.render.captions import CaptionTrack, caption_look
from tools.render.fonts import GlyphFilter
from tools.render.styles import StyleSpec
from tools.render.textblock import BlockLook, Word, draw_block, fit
from tools.render.yuv import Overlay, overlay_from_rgba

SAFE_TOP = 0.15
SAFE_BOTTOM = 0.75
TITLE_TOP = 0.13
TITLE_FRAMES = 60
_POP_FRAMES = 8
_FADE_FRAMES = 9


def _place(sprite_h: int, center: float, height: int, top: float, bottom: float) -> int:
    y = int(center - sprite_h / 2)
    y = min(y, int(bottom * height) - sprite_h)
    return max(y, int(top * height))


class TextOverlays:
    """All text of a reel: one caption sprite per (group, highlighted word), one title."""

    def __init__(
        self,
        style: StyleSpec,
        width: int,
        height: int,
        glyphs: GlyphFilter,
        captions: CaptionTrack,
        title: str,
        *,
        highlight: bool,
        show_title: bool,
        animate_title: bool,
    ) -> None:
        """Lay out the title; caption sprites are drawn lazily as the reel plays."""
        self.style, self.width, self.height = style, width, height
        self.captions = captions
        self.look = caption_look(
            style.caption_fill,
            style.caption_stroke,
            style.highlight if highlight else None,
            style.highlight_mode == "pill",
            style.highlight_text,
            style.caption_box,
        )
        self._cache: OrderedDict[tuple[int, int], Overlay] = OrderedDict()
        self.show_title, self.animate = show_title, animate_title
        words = []
        for i, raw in enumerate(title.split()):
            text, font = glyphs.clean(raw)
            words.append(Word(text, font, i))
        layout = fit(words, width * 0.80, 3, int(width * 0.085), int(width * 0.04))
        look = BlockLook(fill=style.title_fill, box=style.title_box)
        self.title_rgba = draw_block(layout, look) if layout.words else None
        self._title_cache: dict[int, Overlay] = {}

    def title_position(self) -> tuple[int, int]:
        """Top-left corner of the title sprite."""
        assert self.title_rgba is not None
        _h, w = self.title_rgba.shape[:2]
        return (self.width - w) // 2, int(TITLE_TOP * self.height)

    def title_state(self, frame_index: int) -> int | None:
        """Opacity step of the title at ``frame_index`` (None when hidden)."""
        if not self.show_title or self.title_rgba is None or frame_index >= TITLE_FRAMES:
            return None
        if not self.animate:
            return _POP_FRAMES
        if frame_index < _POP_FRAMES:
            return frame_index + 1
        left = TITLE_FRAMES - frame_index
        return min(_POP_FRAMES, round(left * _POP_FRAMES / _FADE_FRAMES))

    def title(self, state: int) -> Overlay:
        """Title sprite at opacity step ``state`` (rises slightly while popping in)."""
        if state not in self._title_cache:
            assert self.title_rgba is not None
            x, y = self.title_position()
            rise = int((_POP_FRAMES - state) * self.height * 0.003)
            self._title_cache[state] = overlay_from_rgba(
                self.title_rgba, x, y + rise, opacity=state / _POP_FRAMES
            )
        return self._title_cache[state]

    def caption_rgba(self, state: tuple[int, int]) -> tuple[NDArray[np.uint8], int, int]:
        """Caption sprite for ``(group, highlighted word)`` and its top-left corner."""
        group = self.captions.groups[state[0]]
        rgba = draw_block(group.layout, self.look, state[1])
        h, w = rgba.shape[:2]
        y = _place(h, self.style.caption_center_y * self.height, self.height, SAFE_TOP, SAFE_BOTTOM)
        return rgba, (self.width - w) // 2, y

    def caption(self, state: tuple[int, int]) -> Overlay:
        """Cached caption overlay for ``state``."""
        ov = self._cache.get(state)
        if ov is None:
            rgba, x, y = self.caption_rgba(state)
            ov = overlay_from_rgba(rgba, x, y)
            self._cache[state] = ov
            if len(self._cache) > 8:
                self._cache.popitem(last=False)
        return ov

"""Cutaways: the creator's own clips and B-roll photos cut into the reel between caption beats.

A cutaway with times is shown exactly then. The others are spread over the reel after the
opening hook and before the closing words, each starting on a caption beat (the start of a
caption group) and ending on one when it can, with the twin on screen in between. Captions,
logo and disclosure stay on top. A clip shorter than its slot ends the cutaway early.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace

import numpy as np

from tools.render.background import Rect, card_mask
from tools.render.base import RenderError
from tools.render.clips import ClipError, ClipReader
from tools.render.face import find_face
from tools.render.inputs import Cutaway
from tools.render.likeness import load_photo
from tools.render.motion import KenBurns, View, crop_planes, planes_of_rgb
from tools.render.paste import CardPaster
from tools.render.styles import StyleSpec
from tools.render.yuv import Planes, rgb_color_to_yuv

HOOK_MS = 2000
"""The opening hook (title) is the twin's; automatic cutaways start after it."""
CLOSE_MS = 1500
"""The twin closes the reel; automatic cutaways end before the last this many ms."""
GAP_MS = 1200
"""At least this much twin between two cutaways."""
DEFAULT_MS = 3000
MIN_MS = 800
_PHOTO_OVERSIZE = 1.08


@dataclass(frozen=True)
class Slot:
    """One placed cutaway: frames ``start`` (included) to ``end`` (excluded)."""

    source: int
    """Index of the cutaway in the request."""
    start: int
    end: int


def _nearest_beat(beats: list[int], t: int, lo: int, hi: int) -> int:
    inside = [b for b in beats if lo <= b <= hi]
    return min(inside, key=lambda b: abs(b - t)) if inside else t


def _free(busy: list[tuple[int, int]], a: int, b: int) -> bool:
    return all(b + GAP_MS <= s or a >= e + GAP_MS for s, e in busy)


def plan_slots(
    cutaways: list[Cutaway],
    lengths_ms: list[int | None],
    *,
    reel_ms: int,
    fps: int,
    beats_ms: list[int],
    warnings: list[str],
) -> list[Slot]:
    """Place every usable cutaway on the reel's timeline (see the module docstring).

    Args:
        cutaways: as requested.
        lengths_ms: playable length of each (clip length after its in-point; None: unknown
            or a photo, which lasts as long as its slot).
        reel_ms: length of the reel.
        fps: frame rate.
        beats_ms: caption beats (group starts) in ms.
        warnings: where left-out cutaways are reported.
    """
    placed: list[tuple[int, int, int]] = []
    busy: list[tuple[int, int]] = []
    for i, c in enumerate(cutaways):
        if c.start_ms is None:
            continue
        if c.start_ms >= reel_ms - MIN_MS // 2:
            warnings.append(
                f"cutaway {c.path.name} starts at {c.start_ms / 1000:.1f} s, after the reel "
                f"ends ({reel_ms / 1000:.1f} s); it was left out"
            )
            continue
        end = min(c.end_ms or c.start_ms + DEFAULT_MS, reel_ms)
        length = lengths_ms[i]
        if length is not None and c.start_ms + length < end:
            if c.end_ms is not None:
                warnings.append(
                    f"cutaway {c.path.name} lasts {length / 1000:.1f} s, shorter than its "
                    f"{(c.end_ms - c.start_ms) / 1000:.1f} s slot; the reel returns to the "
                    "twin when it ends"
                )
            end = c.start_ms + length
        start = max([c.start_ms, *(e for s, e in busy if s <= c.start_ms < e)])
        if any(start < s < end for s, _e in busy):
            end = min(s for s, _e in busy if start < s < end)
        if start != c.start_ms and end - start < MIN_MS:
            warnings.append(f"cutaway {c.path.name} overlaps another one; it was left out")
            continue
        placed.append((i, start, end))
        busy.append((start, end))
    auto = [i for i, c in enumerate(cutaways) if c.start_ms is None]
    lo, hi = HOOK_MS, reel_ms - CLOSE_MS
    share = (hi - lo) / max(1, len(auto))
    for k, i in enumerate(auto):
        c = cutaways[i]
        first = lo + k * share + (GAP_MS / 2 if k else 0)
        last = lo + (k + 1) * share - (GAP_MS / 2 if k + 1 < len(auto) else 0)
        want = int(min(DEFAULT_MS, last - first))
        if lengths_ms[i] is not None:
            want = min(want, int(lengths_ms[i] or 0))
        if c.end_ms is not None:
            want = min(want, c.end_ms)
        # Start on the beat nearest the middle of the share; shorten to fit if needed.
        target = int((first + last - want) / 2)
        start = _nearest_beat(beats_ms, target, int(first), int(last - MIN_MS))
        want = min(want, int(last - start))
        end = start + want
        snapped = [b for b in beats_ms if start + 0.75 * want <= b <= end]
        if snapped and snapped[-1] - start >= MIN_MS:
            end = snapped[-1]
        if want < MIN_MS or not _free(busy, start, end):
            warnings.append(
                f"cutaway {c.path.name} was left out: the reel has no room for it between "
                "the hook, the other cutaways and the closing words"
            )
            continue
        placed.append((i, start, end))
        busy.append((start, end))
    slots = [Slot(i, s * fps // 1000, e * fps // 1000) for i, s, e in placed]
    return sorted((s for s in slots if s.end > s.start), key=lambda s: s.start)


def pip_rect(width: int, height: int, aspect: str) -> Rect:
    """Where a picture-in-picture cutaway sits (upper right, clear of the captions)."""
    w = round(width * (0.46 if aspect == "9_16" else 0.40) / 2) * 2
    h = round(w * (1.25 if aspect == "9_16" else 1.0) / 2) * 2
    x = round((width - w - 0.05 * width) / 2) * 2
    y = round(height * (0.17 if aspect == "9_16" else 0.16) / 2) * 2
    return Rect(x, y, w, h)


class _Photo:
    def __init__(self, cut: Cutaway, width: int, height: int) -> None:
        from PIL import Image

        rgb = load_photo(cut.path)
        face = find_face(rgb)
        ih, iw = rgb.shape[:2]
        cw = min(float(iw), ih * width / height)
        ch = cw * height / width
        fx = face.center[0] if face is not None else iw / 2
        x = min(max(fx - cw / 2, 0.0), iw - cw)
        y = (ih - ch) * 0.3
        ww = round(width * _PHOTO_OVERSIZE / 2) * 2
        wh = round(height * _PHOTO_OVERSIZE / 2) * 2
        img = Image.fromarray(rgb).resize(
            (ww, wh), Image.Resampling.LANCZOS, box=(x, y, x + cw, y + ch)
        )
        self.planes = planes_of_rgb(np.asarray(img))
        focus = ((fx - x) * ww / cw, wh * 0.4)
        self.camera = KenBurns((ww, wh), (width, height), _PHOTO_OVERSIZE, focus, (1.0, 1.06), 12)
        self.size = (width, height)


class CutawayTrack:
    """The cutaways of one reel: which is shown on each frame, and its pixels."""

    def __init__(
        self,
        cutaways: list[Cutaway],
        *,
        width: int,
        height: int,
        aspect: str,
        style: StyleSpec,
        fps: int,
        n_frames: int,
        beats_ms: list[int],
        warnings: list[str],
    ) -> None:
        """Open every cutaway and place it; unreadable ones are left out with a warning."""
        self.width, self.height, self.fps = width, height, fps
        self.pip = pip_rect(width, height, aspect)
        self.border = max(2, round(width * 0.008 / 2) * 2)
        outer = Rect(
            self.pip.x - self.border,
            self.pip.y - self.border,
            self.pip.w + 2 * self.border,
            self.pip.h + 2 * self.border,
        )
        self._pip_paster = CardPaster(outer, card_mask(replace(style, card_shape="rounded"), outer))
        self._accent = rgb_color_to_yuv(style.accent)
        self.cutaways = cutaways
        self.sources: list[ClipReader | _Photo | None] = []
        lengths: list[int | None] = []
        for cut in cutaways:
            w, h = (width, height) if cut.layout == "full" else (self.pip.w, self.pip.h)
            try:
                if cut.is_photo:
                    self.sources.append(_Photo(cut, w, h))
                    lengths.append(None)
                else:
                    reader = ClipReader(cut.path, w, h, start_s=cut.clip_from_ms / 1000)
                    self.sources.append(reader)
                    left = reader.length_s
                    lengths.append(None if left is None else int(left * 1000))
            except (RenderError, ClipError) as exc:
                warnings.append(f"cutaway {cut.path.name} was left out: {exc}")
                self.sources.append(None)
                lengths.append(0)
        usable = [c for c, s in zip(cutaways, self.sources, strict=True) if s is not None]
        usable_lengths = [n for n, s in zip(lengths, self.sources, strict=True) if s is not None]
        index = [i for i, s in enumerate(self.sources) if s is not None]
        planned = plan_slots(
            usable,
            usable_lengths,
            reel_ms=n_frames * 1000 // fps,
            fps=fps,
            beats_ms=beats_ms,
            warnings=warnings,
        )
        self.slots = [replace(s, source=index[s.source]) for s in planned]
        self._frame_slot = np.full(n_frames, -1, np.int16)
        for k, s in enumerate(self.slots):
            self._frame_slot[s.start : min(s.end, n_frames)] = k
        self._last: tuple[Hashable, Planes] | None = None

    def state_at(self, frame_index: int) -> Hashable | None:
        """``(slot, picture)`` shown at ``frame_index``, or None when no cutaway is on."""
        k = int(self._frame_slot[frame_index]) if frame_index < self._frame_slot.size else -1
        if k < 0:
            return None
        slot = self.slots[k]
        src = self.sources[slot.source]
        t = (frame_index - slot.start) / self.fps
        if isinstance(src, _Photo):
            return k, src.camera.view(t / max(1e-6, (slot.end - slot.start) / self.fps))
        assert src is not None
        return k, int(t * min(src.rate, self.fps) + 1e-6)

    def is_full(self, state: Hashable) -> bool:
        """True when the cutaway in ``state`` fills the frame."""
        assert isinstance(state, tuple)
        return self.cutaways[self.slots[state[0]].source].layout == "full"

    def _planes(self, state: Hashable) -> Planes:
        if self._last is not None and self._last[0] == state:
            return self._last[1]
        assert isinstance(state, tuple)
        k, pic = state
        src = self.sources[self.slots[k].source]
        if isinstance(src, _Photo):
            assert isinstance(pic, View)
            planes = crop_planes(src.planes, pic, *src.size)
        else:
            assert src is not None
            got = src.planes_at(pic / min(src.rate, self.fps))
            planes = got if got is not None else (self._last[1] if self._last else None)  # type: ignore[assignment]
            if planes is None:
                raise RenderError(f"cutaway {src.path.name} has no picture to show")
        self._last = (state, planes)
        return planes

    def paste(self, frame: Planes, state: Hashable) -> None:
        """Draw the cutaway of ``state`` onto ``frame`` (whole frame, or the inset box)."""
        pic = self._planes(state)
        if self.is_full(state):
            np.copyto(frame.y, pic.y)
            np.copyto(frame.u, pic.u)
            np.copyto(frame.v, pic.v)
            return
        outer = self._pip_paster.rect
        b = self.border
        box = Planes(
            np.full((outer.h, outer.w), self._accent[0], np.uint8),
            np.full((outer.h // 2, outer.w // 2), self._accent[1], np.uint8),
            np.full((outer.h // 2, outer.w // 2), self._accent[2], np.uint8),
        )
        box.y[b : b + pic.y.shape[0], b : b + pic.y.shape[1]] = pic.y
        box.u[b // 2 : b // 2 + pic.u.shape[0], b // 2 : b // 2 + pic.u.shape[1]] = pic.u
        box.v[b // 2 : b // 2 + pic.v.shape[0], b // 2 : b // 2 + pic.v.shape[1]] = pic.v
        self._pip_paster.paste(frame, box)

    def close(self) -> None:
        """Release the decoders."""
        for src in self.sources:
            if isinstance(src, ClipReader):
                src.close()

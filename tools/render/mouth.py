"""A talking mouth for a still photo: how far it opens on each frame, and the opened picture.

How far: the speech's loudness around each frame, gated by the word timings (closed between
words), smoothed and quantised to a few steps so identical frames can still be reused.
The picture: the lower lip and the skin below it are pulled down along a lens-shaped profile
(widest in the middle, nothing at the corners) and the gap between the lips is painted as the
dark inside of a mouth; the upper lip lifts a little. One warp per step, computed once.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from tools.render.audio import SAMPLE_RATE, decode_audio
from tools.render.face import Face
from tools.tts.base import WordTiming

MOUTH_STEPS = 5
"""Closed plus four openings."""
_DROP = 0.06
"""Widest opening of the lower lip, as a share of the face height."""
_LIFT = 0.22
"""Upper-lip lift as a share of the lower-lip drop."""
_INSIDE_EDGE = np.array((122, 58, 60), np.float32)
_INSIDE_DEEP = np.array((50, 20, 24), np.float32)
_TEETH = np.array((206, 196, 184), np.float32)


def mouth_steps(
    audio_path: Path, words: list[WordTiming], n_frames: int, fps: int
) -> NDArray[np.int8]:
    """Mouth opening step (0 closed .. ``MOUTH_STEPS - 1`` widest) for every frame.

    Args:
        audio_path: the speech audio.
        words: its word timings; the mouth stays closed outside them.
        n_frames: frames in the reel.
        fps: frame rate.
    """
    try:
        voice = decode_audio(audio_path, 1)[0]
    except (av.error.FFmpegError, OSError, ValueError):
        voice = np.zeros(0, np.float32)
    hop = SAMPLE_RATE // fps
    level = np.zeros(n_frames, np.float32)
    for i in range(n_frames):
        chunk = voice[max(0, i * hop - hop // 2) : i * hop + hop // 2 + hop]
        if chunk.size:
            level[i] = float(np.sqrt(np.mean(chunk * chunk)))
    inside = np.zeros(n_frames, bool)
    for w in words:
        a = max(0, (w.start_ms - 20) * fps // 1000)
        b = min(n_frames, (w.end_ms + 40) * fps // 1000 + 1)
        inside[a:b] = True
    voiced = level[inside]
    if voiced.size == 0 or float(voiced.max()) <= 1e-6:
        # No usable audio: open and close on each word's own rhythm.
        t = np.arange(n_frames) / fps
        level = (0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * t)).astype(np.float32)
        ref = 1.0
    else:
        ref = float(np.percentile(voiced, 90))
    target = np.where(inside, np.clip(level / max(ref, 1e-6), 0.0, 1.0) ** 0.7, 0.0)
    out = np.zeros(n_frames, np.int8)
    openness = 0.0
    for i, tg in enumerate(target):
        openness += (tg - openness) * (0.7 if tg > openness else 0.5)
        step = round(openness * (MOUTH_STEPS - 1)) if openness > 0.12 else 0
        out[i] = step
    return out


def _even_floor(v: float) -> int:
    return int(np.floor(v / 2.0)) * 2


def mouth_box(face: Face, width: int, height: int) -> tuple[int, int, int, int]:
    """Even-aligned ``(x0, y0, x1, y1)`` of the pixels an opening mouth may change."""
    half = face.mouth_w / 2
    x0 = max(0, _even_floor(face.mouth_x - 1.15 * half))
    x1 = min(_even_floor(width), _even_floor(face.mouth_x + 1.15 * half) + 2)
    y0 = max(0, _even_floor(face.mouth_y - 0.16 * face.h))
    y1 = min(_even_floor(height), _even_floor(face.mouth_y + 0.40 * face.h) + 2)
    return x0, y0, x1, y1


def open_mouth(rgb: NDArray[np.uint8], face: Face, amount: float) -> NDArray[np.uint8]:
    """The pixels of :func:`mouth_box` with the mouth opened by ``amount`` (0..1)."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = mouth_box(face, w, h)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    half = max(1.0, face.mouth_w / 2)
    u = (xx - face.mouth_x) / half
    lens = np.clip(1.0 - u * u, 0.0, 1.0) ** 0.6
    drop = amount * _DROP * face.h * lens
    lift = _LIFT * drop
    my = face.mouth_y
    below, above = 0.32 * face.h, 0.12 * face.h

    def fall(dist: NDArray[np.float32], reach: float) -> NDArray[np.float32]:
        s = np.clip(1.0 - dist / reach, 0.0, 1.0)
        return (s * s * (3 - 2 * s)).astype(np.float32)

    # Inverse mapping: which source row lands on each output row (a few fixed-point steps).
    src_y = yy.copy()
    low = yy >= my
    for _ in range(3):
        moved = np.where(
            low, yy - drop * fall(src_y - my, below), yy + lift * fall(my - src_y, above)
        )
        src_y = moved.astype(np.float32)
    lower_edge = my + drop
    upper_edge = my - lift
    src_y = np.where(low, np.maximum(src_y, my), np.minimum(src_y, my)).astype(np.float32)
    warped = cv2.remap(
        rgb, xx, src_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ).astype(np.float32)
    # Soft edges; a gap thinner than a pixel only darkens the lip line a little.
    gap = np.clip((np.minimum(yy - upper_edge, lower_edge - yy) + 0.75) / 1.5, 0.0, 1.0)
    gap *= np.clip(drop + lift, 0.0, 1.0)
    height = np.maximum(lower_edge - upper_edge, 1.0)
    rel = np.clip((yy - upper_edge) / height, 0.0, 1.0)[..., None]
    depth = np.clip(1.0 - np.abs(rel - 0.55) * 2.0, 0.0, 1.0)
    inside = _INSIDE_EDGE + (_INSIDE_DEEP - _INSIDE_EDGE) * depth
    # Upper teeth show as a pale band under the upper lip once the mouth is open enough.
    teeth = np.clip((0.3 - rel) / 0.08, 0.0, 1.0) * np.clip((height[..., None] - 5.0) / 6.0, 0, 1)
    teeth *= np.clip(lens[..., None] * 1.6 - 0.35, 0.0, 1.0)
    inside = inside * (1.0 - 0.55 * teeth) + _TEETH * (0.55 * teeth) * (1.0 - 0.35 * rel)
    out = warped * (1.0 - gap[..., None]) + inside * gap[..., None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)

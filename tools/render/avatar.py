"""The twin's avatar (image or video) inside its card, with slow drift so nothing is frozen."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Protocol

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageEnhance, ImageOps, UnidentifiedImageError

from tools.render.background import Rect
from tools.render.base import RenderError
from tools.render.clips import plane_of
from tools.render.styles import StyleSpec
from tools.render.yuv import Planes, rgb_to_yuv_full, subsample, to_u8

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
VIDEO_SUFFIXES = (".mp4", ".mov")


def find_avatar(avatar_dir: Path | None) -> Path | None:
    """First image in ``avatar_dir`` (by name), else its first video, else None."""
    if avatar_dir is None or not avatar_dir.is_dir():
        return None
    files = sorted(p for p in avatar_dir.iterdir() if p.is_file())
    for suffixes in (IMAGE_SUFFIXES, VIDEO_SUFFIXES):
        for p in files:
            if p.suffix.lower() in suffixes:
                return p
    return None


class AvatarLayer(Protocol):
    """A moving avatar: a hashable state per frame and the card pixels for that state."""

    def state_at(self, frame_index: int) -> Hashable:
        """Identical states give identical pixels, so frames can be reused."""
        ...

    def planes(self, state: Hashable) -> Planes:
        """Card-sized yuv420p planes for ``state``."""
        ...

    def preview_rgb(self) -> NDArray[np.uint8]:
        """Card-sized RGB of the first frame (for the thumbnail)."""
        ...


def _treat(img: Image.Image, style: StyleSpec) -> Image.Image:
    if style.name == "hyperreal":
        img = ImageEnhance.Contrast(img).enhance(1.15)
        img = ImageEnhance.Color(img).enhance(1.12)
    if style.tint_strength > 0:
        img = Image.blend(img, Image.new("RGB", img.size, style.tint), style.tint_strength)
    return img


def _cover(img: Image.Image, w: int, h: int) -> Image.Image:
    scale = max(w / img.width, h / img.height)
    sw, sh = max(w, round(img.width * scale)), max(h, round(img.height * scale))
    img = img.resize((sw, sh), Image.Resampling.LANCZOS)
    x0 = (sw - w) // 2
    y0 = int((sh - h) * 0.3)  # faces sit in the upper part of portraits
    return img.crop((x0, y0, x0 + w, y0 + h))


class ImageAvatar:
    """A still image drifting slowly (whole-pixel steps, both chroma phases precomputed)."""

    def __init__(
        self, path: Path, rect: Rect, style: StyleSpec, *, fps: int, duration_s: float, motion: bool
    ) -> None:
        """Load and prepare ``path``.

        Raises:
            RenderError: if the file is not a readable image.
        """
        try:
            with Image.open(path) as im:
                im.load()
                img = ImageOps.exif_transpose(im).convert("RGB")
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise RenderError(
                f"avatar image {path.name} is corrupt or not an image ({exc.__class__.__name__}); "
                "replace it with a valid PNG/JPEG/WebP in the twin's assets folder"
            ) from exc
        self.rect, self.fps = rect, fps
        scale = rect.w / 1080.0 if rect.w < rect.h else rect.h / 1080.0
        travel = min(14.0 * scale * duration_s, 0.10 * min(rect.w, rect.h)) if motion else 0.0
        dx, dy = style.pan
        norm = max(1e-6, (dx * dx + dy * dy) ** 0.5)
        self.tx, self.ty = round(abs(dx) / norm * travel), round(abs(dy) / norm * travel)
        self.sx, self.sy = (1 if dx >= 0 else -1), (1 if dy >= 0 else -1)
        self.frames = max(1, round(duration_s * fps))
        big = _treat(_cover(img, rect.w + self.tx + 2, rect.h + self.ty + 2), style)
        self.rgb = np.asarray(big)
        y, self._cb, self._cr = rgb_to_yuv_full(self.rgb)
        self.y = to_u8(y)
        self._chroma: dict[tuple[int, int], tuple[NDArray[np.uint8], NDArray[np.uint8]]] = {}

    def state_at(self, frame_index: int) -> Hashable:
        """Whole-pixel offset of the crop at ``frame_index``."""
        f = min(1.0, frame_index / self.frames)
        ox, oy = round(self.tx * f), round(self.ty * f)
        if self.sx < 0:
            ox = self.tx - ox
        if self.sy < 0:
            oy = self.ty - oy
        return (ox, oy)

    def planes(self, state: Hashable) -> Planes:
        """Card planes cropped at offset ``state``."""
        assert isinstance(state, tuple)
        ox, oy = int(state[0]), int(state[1])
        key = (ox % 2, oy % 2)
        if key not in self._chroma:
            self._chroma[key] = (to_u8(subsample(self._cb, *key)), to_u8(subsample(self._cr, *key)))
        u, v = self._chroma[key]
        r = self.rect
        cx, cy = ox // 2, oy // 2
        return Planes(
            self.y[oy : oy + r.h, ox : ox + r.w],
            u[cy : cy + r.h // 2, cx : cx + r.w // 2],
            v[cy : cy + r.h // 2, cx : cx + r.w // 2],
        )

    def preview_rgb(self) -> NDArray[np.uint8]:
        """RGB crop at the first frame's offset."""
        state = self.state_at(0)
        assert isinstance(state, tuple)
        ox, oy = int(state[0]), int(state[1])
        return self.rgb[oy : oy + self.rect.h, ox : ox + self.rect.w]


class VideoAvatar:
    """A video clip looped inside the card, refreshed every ``step`` output frames."""

    def __init__(self, path: Path, rect: Rect, *, step: int, fps: int) -> None:
        """Open ``path`` and decode its first frame; play it at its own speed.

        Raises:
            RenderError: if the file is not a decodable video.
        """
        self.path, self.rect, self.step = path, rect, step
        self._container: av.container.InputContainer | None = None
        self._iter: object = None
        self._cache: tuple[Hashable, Planes] | None = None
        try:
            first = self._next_frame()
        except (av.error.FFmpegError, StopIteration, ValueError) as exc:
            raise RenderError(
                f"avatar video {path.name} cannot be decoded ({exc.__class__.__name__}); "
                "replace it with a valid MP4/MOV in the twin's assets folder"
            ) from exc
        self._first = first
        rate = self._container.streams.video[0].average_rate if self._container else None
        self.skip = max(1, round(float(rate or fps) * step / fps))

    def _open(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = av.open(str(self.path))
        self._iter = self._container.decode(video=0)

    def _next_frame(self) -> av.VideoFrame:
        if self._iter is None:
            self._open()
        try:
            return next(self._iter)  # type: ignore[call-overload, no-any-return]
        except StopIteration:
            self._open()
            return next(self._iter)  # type: ignore[call-overload, no-any-return]

    def _fit(self, frame: av.VideoFrame) -> Planes:
        r = self.rect
        scale = max(r.w / frame.width, r.h / frame.height)
        sw = max(r.w, int(np.ceil(frame.width * scale / 2)) * 2)
        sh = max(r.h, int(np.ceil(frame.height * scale / 2)) * 2)
        small = frame.reformat(width=sw, height=sh, format="yuv420p")
        y = plane_of(small, 0, sw, sh)
        u = plane_of(small, 1, sw // 2, sh // 2)
        v = plane_of(small, 2, sw // 2, sh // 2)
        x0 = ((sw - r.w) // 4) * 2
        y0 = ((sh - r.h) // 4) * 2
        return Planes(
            y[y0 : y0 + r.h, x0 : x0 + r.w],
            u[y0 // 2 : y0 // 2 + r.h // 2, x0 // 2 : x0 // 2 + r.w // 2],
            v[y0 // 2 : y0 // 2 + r.h // 2, x0 // 2 : x0 // 2 + r.w // 2],
        )

    def state_at(self, frame_index: int) -> Hashable:
        """Index of the source frame shown (advances every ``step`` frames)."""
        return frame_index // self.step

    def planes(self, state: Hashable) -> Planes:
        """Card planes of the next source frame; states must be asked for in order."""
        if self._cache is not None and self._cache[0] == state:
            return self._cache[1]
        frame = self._first
        if state != 0:
            for _ in range(self.skip):
                frame = self._next_frame()
        planes = self._fit(frame)
        self._cache = (state, planes)
        return planes

    def preview_rgb(self) -> NDArray[np.uint8]:
        """RGB of the first decoded frame, cropped to the card."""
        img = self._first.to_image()
        return np.asarray(_cover(img, self.rect.w, self.rect.h))

    def close(self) -> None:
        """Release the decoder."""
        if self._container is not None:
            self._container.close()
            self._container = None

"""The creator's likeness in the avatar card: a talking photo, or their own clip.

Photo: the face is found (:mod:`tools.render.face`), head and shoulders are framed for the
card's shape, the picture pushes in slowly towards the face (Ken Burns), the head bobs gently
and dips on caption beats, and the mouth opens with the speech (:mod:`tools.render.mouth`).
Without a face the photo is framed from its upper part, moves the same way, and stays silent.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from tools.render.avatar import AvatarLayer, _cover, _treat
from tools.render.background import Rect
from tools.render.base import RenderError
from tools.render.clips import ClipError, ClipReader
from tools.render.face import Face, find_face, frame_around
from tools.render.inputs import Likeness
from tools.render.motion import KenBurns, View, crop_planes, crop_rgb, planes_of_rgb
from tools.render.mouth import MOUTH_STEPS, mouth_box, open_mouth
from tools.render.styles import StyleSpec
from tools.render.yuv import Planes, rgb_to_yuv_full, subsample, to_u8

OVERSIZE = 1.14
"""The framed photo is prepared this much larger than the card, for zoom and bob room."""
FACE_SHARE = {"circle": 0.36, "arch": 0.33, "rounded": 0.34, "feather": 0.30}
"""Share of the card's height the face takes: head and shoulders, more for a tall card."""
_BOB_PERIOD_S = (3.4, 5.9)
_NOD_S = 0.35


def load_photo(path: Path) -> NDArray[np.uint8]:
    """An upright RGB array of the photo at ``path``.

    Raises:
        RenderError: if the file is missing or not an image.
    """
    try:
        with Image.open(path) as im:
            im.load()
            img = ImageOps.exif_transpose(im).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise RenderError(
            f"likeness photo {path.name} is missing, corrupt or not an image "
            f"({exc.__class__.__name__}); add it again as a PNG/JPEG/WebP"
        ) from exc
    return np.asarray(img)


def _soft_treat(img: Image.Image, style: StyleSpec) -> Image.Image:
    # A real face keeps its skin tones: the style's colour wash is used at a fraction.
    return _treat(img, replace(style, tint_strength=style.tint_strength * 0.35))


class PhotoLikeness:
    """A talking photo inside the card (an :class:`~tools.render.avatar.AvatarLayer`)."""

    def __init__(
        self,
        rgb: NDArray[np.uint8],
        face: Face | None,
        rect: Rect,
        style: StyleSpec,
        *,
        fps: int,
        n_frames: int,
        mouth: NDArray[np.int8] | None,
        beats_ms: list[int],
        motion: bool,
    ) -> None:
        """Frame the photo for ``rect`` and plan its motion over ``n_frames``."""
        self.rect, self.fps, self.n_frames, self.motion = rect, fps, n_frames, motion
        img_h, img_w = rgb.shape[:2]
        cx, cy, cw, ch = frame_around(
            face, img_w, img_h, rect.w / rect.h, FACE_SHARE[style.card_shape]
        )
        work_w = max(2, round(rect.w * OVERSIZE / 2) * 2)
        work_h = max(2, round(rect.h * OVERSIZE / 2) * 2)
        pil = Image.fromarray(rgb).resize(
            (work_w, work_h), Image.Resampling.LANCZOS, box=(cx, cy, cx + cw, cy + ch)
        )
        self.rgb = np.asarray(_soft_treat(pil, style))
        self.upscale = work_w / OVERSIZE / cw
        """Card pixels per photo pixel (above ~2.5 the photo looks soft)."""
        k = work_w / cw
        self.face = face.scaled(k, -cx * k, -cy * k) if face is not None else None
        focus = self.face.center if self.face is not None else (work_w / 2, work_h * 0.4)
        self.camera = KenBurns((work_w, work_h), (rect.w, rect.h), OVERSIZE, focus)
        self.bob = 0.005 * rect.h if motion else 0.0
        self.beats = sorted(b / 1000 for b in beats_ms)
        self.mouth = mouth if (mouth is not None and self.face is not None) else None
        self._base = planes_of_rgb(self.rgb)
        self._variants: dict[int, Planes] = {0: self._base}
        self._cache: OrderedDict[Hashable, Planes] = OrderedDict()
        self._view: tuple[View, Planes] | None = None

    def _nudge(self, t: float) -> tuple[float, float]:
        if not self.bob:
            return 0.0, 0.0
        dy = self.bob * math.sin(2 * math.pi * t / _BOB_PERIOD_S[0])
        dx = 0.45 * self.bob * math.sin(2 * math.pi * t / _BOB_PERIOD_S[1] + 1.0)
        for beat in self.beats:
            if 0.0 <= t - beat <= _NOD_S:
                dy -= 0.9 * self.bob * math.sin(math.pi * (t - beat) / _NOD_S)
        return dx, dy

    def state_at(self, frame_index: int) -> Hashable:
        """``(view, mouth step)`` at ``frame_index``; the picture moves on twos (15 fps)."""
        j = frame_index - frame_index % 2
        if not self.motion:
            view = self.camera.view(0.0)
        else:
            view = self.camera.view(j / max(1, self.n_frames - 1), self._nudge(j / self.fps))
        step = 0
        if self.mouth is not None and j < self.mouth.size:
            step = int(self.mouth[j])
        return view, step

    def _variant(self, step: int) -> Planes:
        if step not in self._variants:
            assert self.face is not None
            h, w = self.rgb.shape[:2]
            x0, y0, x1, y1 = mouth_box(self.face, w, h)
            patch = open_mouth(self.rgb, self.face, step / (MOUTH_STEPS - 1))
            y, cb, cr = rgb_to_yuv_full(patch)
            base = self._base
            planes = Planes(base.y.copy(), base.u.copy(), base.v.copy())
            planes.y[y0:y1, x0:x1] = to_u8(y)
            planes.u[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = to_u8(subsample(cb))
            planes.v[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = to_u8(subsample(cr))
            self._variants[step] = planes
        return self._variants[step]

    def _mouth_rect(self, view: View) -> tuple[int, int, int, int] | None:
        """Even-aligned card rectangle an opened mouth can change, seen through ``view``."""
        assert self.face is not None
        h, w = self.rgb.shape[:2]
        x0, y0, x1, y1 = mouth_box(self.face, w, h)
        bx0 = max(0, (math.floor(x0 * view.scale - view.ox) - 2) // 2 * 2)
        by0 = max(0, (math.floor(y0 * view.scale - view.oy) - 2) // 2 * 2)
        bx1 = min(self.rect.w, (math.ceil(x1 * view.scale - view.ox) + 3) // 2 * 2)
        by1 = min(self.rect.h, (math.ceil(y1 * view.scale - view.oy) + 3) // 2 * 2)
        return (bx0, by0, bx1, by1) if bx1 > bx0 and by1 > by0 else None

    def planes(self, state: Hashable) -> Planes:
        """Card planes for ``state``: the view's crop, with only the mouth re-warped."""
        hit = self._cache.get(state)
        if hit is not None:
            return hit
        assert isinstance(state, tuple)
        view, step = state
        assert isinstance(view, View)
        if self._view is None or self._view[0] != view:
            self._view = (view, crop_planes(self._base, view, self.rect.w, self.rect.h))
        out = self._view[1]
        box = self._mouth_rect(view) if step else None
        if box is not None:
            bx0, by0, bx1, by1 = box
            sub = crop_planes(
                self._variant(int(step)),
                View(view.scale, view.ox + bx0, view.oy + by0),
                bx1 - bx0,
                by1 - by0,
            )
            out = Planes(out.y.copy(), out.u.copy(), out.v.copy())
            out.y[by0:by1, bx0:bx1] = sub.y
            out.u[by0 // 2 : by1 // 2, bx0 // 2 : bx1 // 2] = sub.u
            out.v[by0 // 2 : by1 // 2, bx0 // 2 : bx1 // 2] = sub.v
        self._cache[state] = out
        if len(self._cache) > 6:
            self._cache.popitem(last=False)
        return out

    def preview_rgb(self) -> NDArray[np.uint8]:
        """RGB of the first frame (mouth closed)."""
        state = self.state_at(0)
        assert isinstance(state, tuple)
        view = state[0]
        assert isinstance(view, View)
        return crop_rgb(self.rgb, view, self.rect.w, self.rect.h)


class ClipLikeness:
    """The creator's clip looping inside the card, framed on the face of its first frame."""

    def __init__(self, path: Path, rect: Rect, *, fps: int, motion: bool) -> None:
        """Open the clip.

        Raises:
            RenderError: if it cannot be decoded.
        """
        self.path, self.rect, self.fps, self.motion = path, rect, fps, motion
        try:
            probe = ClipReader(path, rect.w, rect.h)
            rgb = probe.first_rgb()
            probe.close()
            face = find_face(rgb)
            h, w = rgb.shape[:2]
            self.focus = (face.center[0] / w, face.center[1] / h) if face else (0.5, 0.35)
            self._reader = self._open()
        except ClipError as exc:
            raise RenderError(
                f"likeness clip {path.name} cannot be used: {exc}; add it again as MP4/MOV"
            ) from exc
        self.rate = self._reader.rate
        self._loop_at = 0.0
        self._cache: tuple[Hashable, Planes] | None = None
        first = self._reader.planes_at(0.0)
        assert first is not None
        self._first = first

    def _open(self) -> ClipReader:
        return ClipReader(self.path, self.rect.w, self.rect.h, focus=self.focus)

    def state_at(self, frame_index: int) -> Hashable:
        """Index of the clip frame shown (the clip's own rate, capped at the reel's)."""
        if not self.motion:
            return 0
        return int(frame_index * min(self.rate, self.fps) / self.fps)

    def planes(self, state: Hashable) -> Planes:
        """Card planes of clip frame ``state``; states are asked for in order."""
        if self._cache is not None and self._cache[0] == state:
            return self._cache[1]
        assert isinstance(state, int)
        t = state / min(self.rate, self.fps)
        planes = self._reader.planes_at(t - self._loop_at)
        if planes is None:
            self._reader.close()
            self._reader, self._loop_at = self._open(), t
            planes = self._reader.planes_at(0.0) or self._first
        self._cache = (state, planes)
        return planes

    def preview_rgb(self) -> NDArray[np.uint8]:
        """RGB of the clip's first frame, framed like the card."""
        img = Image.fromarray(self._open_first_rgb())
        return np.asarray(_cover(img, self.rect.w, self.rect.h))

    def _open_first_rgb(self) -> NDArray[np.uint8]:
        reader = ClipReader(self.path, self.rect.w, self.rect.h)
        try:
            return reader.first_rgb()
        finally:
            reader.close()

    def close(self) -> None:
        """Release the decoder."""
        self._reader.close()


def likeness_layer(
    likeness: Likeness,
    rect: Rect,
    style: StyleSpec,
    *,
    fps: int,
    n_frames: int,
    mouth: NDArray[np.int8] | None,
    beats_ms: list[int],
    motion: bool,
    warnings: list[str],
) -> AvatarLayer:
    """The card layer for ``likeness``: the first photo with a face, else a framed photo, else
    the first clip.

    Raises:
        RenderError: if a photo or the clip cannot be read.
    """
    if likeness.photos:
        photos = [(p, load_photo(p)) for p in likeness.photos]
        for path, rgb in photos:
            face = find_face(rgb)
            if face is not None:
                layer = PhotoLikeness(
                    rgb, face, rect, style, fps=fps, n_frames=n_frames, mouth=mouth,
                    beats_ms=beats_ms, motion=motion,
                )  # fmt: skip
                if layer.upscale > 2.5:
                    h, w = rgb.shape[:2]
                    warnings.append(
                        f"likeness photo {path.name} is small ({w}x{h}) and looks soft when "
                        "enlarged; use a sharper photo at least 1080 pixels tall"
                    )
                return layer
        names = ", ".join(p.name for p, _ in photos)
        warnings.append(
            f"no face found in the likeness photo(s) {names}: the reel shows the first one "
            "framed, without a moving mouth; use a front-facing photo with the face clearly "
            "visible and well lit"
        )
        path, rgb = photos[0]
        return PhotoLikeness(
            rgb, None, rect, style, fps=fps, n_frames=n_frames, mouth=None,
            beats_ms=beats_ms, motion=motion,
        )  # fmt: skip
    return ClipLikeness(likeness.clips[0], rect, fps=fps, motion=motion)

"""Find the face in a photo on the CPU, with the Haar cascades that ship inside OpenCV.

No model is downloaded: ``cv2.data.haarcascades`` holds the trained cascades as XML files in
the opencv-python-headless wheel. The frontal-face cascade gives a box around the face; the
mouth sits at a fixed place in that box, and its lip line is refined to the darkest row of
the lower face (the gap between the lips), which holds for closed and smiling mouths alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

_DETECT_SIDE = 720
"""Photos are searched at most this large (the cascade is scale-invariant; this is speed)."""
_CASCADES = (("haarcascade_frontalface_alt2.xml", 4), ("haarcascade_frontalface_default.xml", 8))
"""Tried in order: the stricter cascade first, then the default one with more neighbours."""


@dataclass(frozen=True)
class Face:
    """A face box and its mouth, in pixels of the image it was found in."""

    x: float
    y: float
    w: float
    h: float
    mouth_x: float
    """Centre of the lip line."""
    mouth_y: float
    mouth_w: float
    """Corner-to-corner width of the mouth."""

    @property
    def center(self) -> tuple[float, float]:
        """Centre of the face box."""
        return self.x + self.w / 2, self.y + self.h / 2

    def scaled(self, k: float, dx: float = 0.0, dy: float = 0.0) -> Face:
        """The same face after scaling the image by ``k`` and then moving it by (dx, dy)."""
        return Face(
            self.x * k + dx,
            self.y * k + dy,
            self.w * k,
            self.h * k,
            self.mouth_x * k + dx,
            self.mouth_y * k + dy,
            self.mouth_w * k,
        )


@lru_cache(maxsize=4)
def _cascade(name: str) -> cv2.CascadeClassifier:
    path = Path(cv2.data.haarcascades) / name  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(str(path))
    if cascade.empty():
        raise RuntimeError(f"OpenCV's face cascade {name} could not be loaded from {path}")
    return cascade


def _lip_line(gray: NDArray[np.uint8], x: float, y: float, w: float, h: float) -> float:
    """Row of the darkest horizontal band in the lower face, where the lips meet."""
    top, bottom = round(y + 0.68 * h), round(y + 0.88 * h)
    left, right = round(x + 0.34 * w), round(x + 0.66 * w)
    band = gray[max(0, top) : max(0, bottom), max(0, left) : max(0, right)].astype(np.float32)
    guess = y + 0.77 * h
    if band.shape[0] < 5 or band.shape[1] < 3:
        return guess
    rows = band.mean(axis=1)
    k = max(1, band.shape[0] // 12)
    padded = np.pad(rows, (k // 2, k - 1 - k // 2), mode="edge")
    rows = np.convolve(padded, np.ones(k, np.float32) / k, mode="valid")
    # Prefer rows near the usual place when the band is evenly lit (a beard, a shadow).
    prior = np.abs(np.arange(rows.size) + top - guess) / max(1.0, 0.11 * h)
    score = rows - rows.min() + 6.0 * prior
    return float(top + int(np.argmin(score)))


def find_face(rgb: NDArray[np.uint8]) -> Face | None:
    """The largest frontal face in an RGB image, or None when there is none.

    Args:
        rgb: the photo as an ``(h, w, 3)`` uint8 array.
    """
    h, w = rgb.shape[:2]
    k = min(1.0, _DETECT_SIDE / max(h, w))
    small = cv2.resize(rgb, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    gray = np.asarray(cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)), np.uint8)
    min_side = max(24, round(min(gray.shape) * 0.08))
    for name, neighbours in _CASCADES:
        found = _cascade(name).detectMultiScale(
            gray, scaleFactor=1.08, minNeighbors=neighbours, minSize=(min_side, min_side)
        )
        if len(found):
            fx, fy, fw, fh = (float(v) for v in max(found, key=lambda r: int(r[2]) * int(r[3])))
            lip = _lip_line(gray, fx, fy, fw, fh)
            face = Face(fx, fy, fw, fh, fx + fw / 2, lip, 0.36 * fw)
            return face.scaled(1.0 / k)
    return None


def frame_around(
    face: Face | None, img_w: int, img_h: int, aspect: float, face_share: float
) -> tuple[float, float, float, float]:
    """Crop ``(x, y, w, h)`` of aspect ``aspect`` showing head and shoulders.

    The face takes ``face_share`` of the crop's height, centred across and a little above the
    middle; the crop stays inside the image (so a close selfie shows a larger face). Without a
    face the crop is the largest one of that aspect, from the upper part of the picture.
    """
    if face is None:
        cw = min(float(img_w), img_h * aspect)
        ch = cw / aspect
        return (img_w - cw) / 2, (img_h - ch) * 0.3, cw, ch
    ch = face.h / face_share
    cw = ch * aspect
    shrink = min(1.0, img_w / cw, img_h / ch)
    cw, ch = cw * shrink, ch * shrink
    fx, fy = face.center
    x = min(max(fx - cw / 2, 0.0), img_w - cw)
    y = min(max(fy - 0.42 * ch, 0.0), img_h - ch)
    return x, y, cw, ch

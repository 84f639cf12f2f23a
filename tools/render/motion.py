"""A still picture prepared once for cheap moving crops (slow zoom, whole-pixel shifts).

The picture is kept as yuv planes a little larger than the box it fills. A crop is one affine
warp per plane with OpenCV (about a millisecond for a 1080-pixel box). Zoom moves in small
steps and shifts in whole pixels, so between zoom steps consecutive frames are exact shifted
copies of each other, which x264's whole-pixel motion search encodes cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from tools.render.yuv import Planes, rgb_to_yuv_full, subsample, to_u8


@dataclass(frozen=True)
class View:
    """Where the box looks: magnification (box pixels per picture pixel) and integer offset."""

    scale: float
    ox: int
    oy: int


def planes_of_rgb(rgb: NDArray[np.uint8]) -> Planes:
    """yuv420p planes of an RGB picture with even sides."""
    y, cb, cr = rgb_to_yuv_full(rgb)
    return Planes(to_u8(y), to_u8(subsample(cb)), to_u8(subsample(cr)))


def _warp(
    src: NDArray[np.uint8], m: NDArray[np.float64], size: tuple[int, int]
) -> NDArray[np.uint8]:
    out = cv2.warpAffine(
        src,
        m,
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(out, np.uint8)


def crop_planes(src: Planes, view: View, width: int, height: int) -> Planes:
    """The ``width`` x ``height`` box of ``src`` seen through ``view``.

    A box pixel p shows the picture point (p + offset) / scale; chroma samples sit at the
    centre of their 2x2 luma block, so their map is shifted by a quarter chroma pixel.
    """
    inv = 1.0 / view.scale
    luma = np.array([[inv, 0.0, view.ox * inv], [0.0, inv, view.oy * inv]])
    chroma = np.array(
        [
            [inv, 0.0, (0.5 + view.ox) * inv / 2 - 0.25],
            [0.0, inv, (0.5 + view.oy) * inv / 2 - 0.25],
        ]
    )
    half = (width // 2, height // 2)
    return Planes(
        _warp(src.y, luma, (width, height)),
        _warp(src.u, chroma, half),
        _warp(src.v, chroma, half),
    )


def crop_rgb(rgb: NDArray[np.uint8], view: View, width: int, height: int) -> NDArray[np.uint8]:
    """RGB version of :func:`crop_planes` (for thumbnails)."""
    inv = 1.0 / view.scale
    m = np.array([[inv, 0.0, view.ox * inv], [0.0, inv, view.oy * inv]])
    return _warp(rgb, m, (width, height))


def smoothstep(x: float) -> float:
    """0 at 0, 1 at 1, flat at both ends."""
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


class KenBurns:
    """A slow push-in from the picture's centre towards a point of interest.

    Args:
        work_size: (width, height) of the prepared picture.
        box: (width, height) of the box it fills.
        oversize: how much larger than the box the picture was prepared.
        focus: the point (picture pixels) the camera drifts towards.
        zoom: (start, end) zoom over the whole run, relative to filling the box at oversize.
        steps: number of distinct zoom levels.
    """

    def __init__(
        self,
        work_size: tuple[int, int],
        box: tuple[int, int],
        oversize: float,
        focus: tuple[float, float],
        zoom: tuple[float, float] = (1.03, 1.09),
        steps: int = 24,
        drift: float = 0.4,
    ) -> None:
        """Plan the move."""
        self.work_w, self.work_h = work_size
        self.box_w, self.box_h = box
        self.oversize, self.zoom, self.steps = oversize, zoom, steps
        self.start = (self.work_w / 2, self.work_h / 2)
        self.end = (
            self.start[0] + (focus[0] - self.start[0]) * drift,
            self.start[1] + (focus[1] - self.start[1]) * drift,
        )

    def step(self, progress: float) -> int:
        """Zoom step (0..steps) at ``progress`` (0..1) of the run."""
        return round(smoothstep(progress) * self.steps)

    def view(self, progress: float, nudge: tuple[float, float] = (0.0, 0.0)) -> View:
        """The view at ``progress``, shifted by ``nudge`` box pixels (head bob), kept inside."""
        k = self.step(progress)
        z = self.zoom[0] + (self.zoom[1] - self.zoom[0]) * k / self.steps
        scale = z / self.oversize
        e = smoothstep(progress)
        cx = self.start[0] + (self.end[0] - self.start[0]) * e
        cy = self.start[1] + (self.end[1] - self.start[1]) * e
        ox = round(cx * scale - self.box_w / 2 + nudge[0])
        oy = round(cy * scale - self.box_h / 2 + nudge[1])
        max_x = int(self.work_w * scale - self.box_w)
        max_y = int(self.work_h * scale - self.box_h)
        return View(scale, min(max(ox, 0), max(0, max_x)), min(max(oy, 0), max(0, max_y)))

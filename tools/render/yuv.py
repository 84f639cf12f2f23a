"""BT.709 limited-range colour conversion and alpha compositing on yuv420p planes.

Frames are composed directly in YUV so the costly RGB->YUV conversion happens once
per distinct image (background, avatar, caption sprite), never once per frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

U8 = NDArray[np.uint8]
U16 = NDArray[np.uint16]
F32 = NDArray[np.float32]

_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB


def rgb_to_yuv_full(rgb: NDArray[np.uint8]) -> tuple[F32, F32, F32]:
    """Convert an RGB image (h, w, 3) to full-resolution Y, Cb, Cr float planes (BT.709, TV range)."""
    f = rgb.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    luma = _KR * r + _KG * g + _KB * b
    y = 16.0 + luma * (219.0 / 255.0)
    cb = 128.0 + (b - luma) * (224.0 / 255.0 / (2.0 * (1.0 - _KB)))
    cr = 128.0 + (r - luma) * (224.0 / 255.0 / (2.0 * (1.0 - _KR)))
    return y, cb, cr


def subsample(plane: NDArray[np.floating], ox: int = 0, oy: int = 0) -> F32:
    """Average 2x2 blocks of a full-resolution plane starting at pixel (ox, oy)."""
    p = plane[oy:, ox:]
    h, w = (p.shape[0] // 2) * 2, (p.shape[1] // 2) * 2
    p = p[:h, :w].astype(np.float32)
    return (p[0::2, 0::2] + p[1::2, 0::2] + p[0::2, 1::2] + p[1::2, 1::2]) * 0.25


def to_u8(plane: NDArray[np.floating]) -> U8:
    """Round and clip a float plane to uint8."""
    return np.clip(plane + 0.5, 0, 255).astype(np.uint8)


def rgb_color_to_yuv(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Convert one RGB colour to its (Y, Cb, Cr) triple."""
    y, u, v = rgb_to_yuv_full(np.array([[rgb]], dtype=np.uint8))
    return int(to_u8(y)[0, 0]), int(to_u8(u)[0, 0]), int(to_u8(v)[0, 0])


@dataclass
class Planes:
    """A yuv420p image: Y at full size, U and V at half size (width and height even)."""

    y: U8
    u: U8
    v: U8

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.y.shape[1]), int(self.y.shape[0])


def rgb_to_planes(rgb: NDArray[np.uint8]) -> Planes:
    """Convert an RGB image with even width and height to yuv420p planes."""
    y, cb, cr = rgb_to_yuv_full(rgb)
    return Planes(to_u8(y), to_u8(subsample(cb)), to_u8(subsample(cr)))


def frame_buffer(width: int, height: int) -> tuple[U8, Planes]:
    """Allocate one contiguous yuv420p buffer (h*3/2, w) and plane views into it."""
    buf = np.empty((height * 3 // 2, width), dtype=np.uint8)
    return buf, planes_of(buf, width, height)


def planes_of(buf: U8, width: int, height: int) -> Planes:
    """Plane views into a contiguous yuv420p buffer of shape (h*3/2, w)."""
    flat = buf.reshape(-1)
    n, q = width * height, (width // 2) * (height // 2)
    return Planes(
        flat[:n].reshape(height, width),
        flat[n : n + q].reshape(height // 2, width // 2),
        flat[n + q : n + 2 * q].reshape(height // 2, width // 2),
    )


@dataclass
class Overlay:
    """A premultiplied YUVA sprite placed at an even (x, y) position of the frame.

    Blending uses 8-bit fixed point: ``out = (dst * inv + pre + 128) >> 8`` where
    ``inv = 256 - a`` and ``pre = colour * a`` with alpha ``a`` in 0..256.
    """

    x: int
    y: int
    pre_y: U16
    inv_y: U16
    pre_u: U16
    pre_v: U16
    inv_c: U16

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the sprite in pixels."""
        return int(self.pre_y.shape[1]), int(self.pre_y.shape[0])


def overlay_from_rgba(rgba: NDArray[np.uint8], x: int, y: int, opacity: float = 1.0) -> Overlay:
    """Build an overlay from an RGBA sprite (h, w, 4); x, y, w and h are rounded to even."""
    x0, y0 = x - (x % 2), y - (y % 2)
    h, w = rgba.shape[0], rgba.shape[1]
    pad_x, pad_y = x - x0, y - y0
    H2, W2 = h + pad_y, w + pad_x
    H2 += H2 % 2
    W2 += W2 % 2
    padded = np.zeros((H2, W2, 4), dtype=np.uint8)
    padded[pad_y : pad_y + h, pad_x : pad_x + w] = rgba
    alpha = padded[..., 3].astype(np.float32) * (opacity * 256.0 / 255.0)
    yy, cb, cr = rgb_to_yuv_full(padded[..., :3])
    a_c = subsample(alpha)
    a_y16 = np.round(alpha).astype(np.uint16)
    a_c16 = np.round(a_c).astype(np.uint16)
    return Overlay(
        x=x0,
        y=y0,
        pre_y=np.round(yy * a_y16).astype(np.uint16),
        inv_y=(256 - a_y16).astype(np.uint16),
        pre_u=np.round(subsample(cb) * a_c16).astype(np.uint16),
        pre_v=np.round(subsample(cr) * a_c16).astype(np.uint16),
        inv_c=(256 - a_c16).astype(np.uint16),
    )


def _blend(dst: U8, pre: U16, inv: U16) -> None:
    acc = dst.astype(np.uint16)
    acc *= inv
    acc += pre
    acc += 128
    acc >>= 8
    dst[...] = acc


def blend_overlay(frame: Planes, ov: Overlay) -> None:
    """Composite ``ov`` onto ``frame`` in place, clipped to the frame."""
    fw, fh = frame.size
    w, h = ov.size
    x0, y0 = max(ov.x, 0), max(ov.y, 0)
    x1, y1 = min(ov.x + w, fw), min(ov.y + h, fh)
    if x1 <= x0 or y1 <= y0:
        return
    sx, sy = x0 - ov.x, y0 - ov.y
    _blend(
        frame.y[y0:y1, x0:x1],
        ov.pre_y[sy : sy + y1 - y0, sx : sx + x1 - x0],
        ov.inv_y[sy : sy + y1 - y0, sx : sx + x1 - x0],
    )
    cx0, cy0, cx1, cy1 = x0 // 2, y0 // 2, x1 // 2, y1 // 2
    csx, csy = sx // 2, sy // 2
    cs = (slice(csy, csy + cy1 - cy0), slice(csx, csx + cx1 - cx0))
    inv_c = ov.inv_c[cs]
    _blend(frame.u[cy0:cy1, cx0:cx1], ov.pre_u[cs], inv_c)
    _blend(frame.v[cy0:cy1, cx0:cx1], ov.pre_v[cs], inv_c)

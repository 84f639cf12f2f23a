"""Copy card-sized YUV planes into a frame through the card's antialiased mask, fast.

The mask is planned once per plane: rows it covers fully are plain slice copies; in the other
rows, a band whose soft edge is wide (the feathered card's fade) is blended as one rectangle,
and a thin edge (a circle's rim) is blended pixel by pixel after a masked copy of its inside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tools.render.background import Rect
from tools.render.yuv import Planes, subsample

_DENSE = 0.35
"""A band whose soft pixels fill more than this share of it is blended as a rectangle."""


@dataclass
class _Band:
    rows: slice
    solid: NDArray[np.bool_] | None
    edge: tuple[NDArray[np.intp], NDArray[np.intp]] | None
    edge_a: NDArray[np.uint16] | None
    alpha: NDArray[np.uint16] | None
    """Whole-band alpha (0..256) when the band is blended as a rectangle."""


def _runs(flags: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end) of each run of True in ``flags``."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(change[::2], change[1::2], strict=True)]


class _Plan:
    def __init__(self, alpha: NDArray[np.uint16]) -> None:
        full = (alpha == 256).all(axis=1)
        empty = (alpha == 0).all(axis=1)
        self.full_rows = [slice(a, b) for a, b in _runs(full)]
        self.bands: list[_Band] = []
        for a, b in _runs(~full & ~empty):
            block = alpha[a:b]
            soft = (block > 0) & (block < 256)
            if soft.mean() > _DENSE:
                self.bands.append(_Band(slice(a, b), None, None, None, block.copy()))
            else:
                ys, xs = np.nonzero(soft)
                self.bands.append(
                    _Band(slice(a, b), block == 256, (ys, xs), block[ys, xs].copy(), None)
                )

    def paste(self, dst: NDArray[np.uint8], src: NDArray[np.uint8]) -> None:
        for rows in self.full_rows:
            dst[rows] = src[rows]
        for band in self.bands:
            d, s = dst[band.rows], src[band.rows]
            if band.alpha is not None:
                a = band.alpha
                acc = d.astype(np.uint16) * (256 - a)
                acc += s.astype(np.uint16) * a
                acc += 128
                d[...] = (acc >> 8).astype(np.uint8)
                continue
            assert band.solid is not None and band.edge is not None and band.edge_a is not None
            np.copyto(d, s, where=band.solid)
            if band.edge_a.size:
                e = band.edge
                dv = d[e].astype(np.uint16)
                sv = s[e].astype(np.uint16)
                d[e] = ((dv * (256 - band.edge_a) + sv * band.edge_a + 128) >> 8).astype(np.uint8)


class CardPaster:
    """Composites card-sized planes onto a frame through the card's coverage mask (0..255)."""

    def __init__(self, rect: Rect, mask: NDArray[np.uint8]) -> None:
        """Plan the luma and chroma copies for ``mask``."""
        self.rect = rect
        luma = (mask.astype(np.uint32) * 256 // 255).astype(np.uint16)
        mc = subsample(mask.astype(np.float32))
        chroma = np.round(mc * 256.0 / 255.0).astype(np.uint16)
        chroma[mc >= 254.5] = 256
        chroma[mc <= 0.5] = 0
        self._luma, self._chroma = _Plan(luma), _Plan(chroma)

    def paste(self, frame: Planes, card: Planes) -> None:
        """Composite ``card`` (card-sized planes) onto ``frame`` in place."""
        r = self.rect
        self._luma.paste(frame.y[r.y : r.y + r.h, r.x : r.x + r.w], card.y)
        cy, cx, ch, cw = r.y // 2, r.x // 2, r.h // 2, r.w // 2
        for dst, src in ((frame.u, card.u), (frame.v, card.v)):
            self._chroma.paste(dst[cy : cy + ch, cx : cx + cw], src)

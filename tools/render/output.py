"""Finishing a render: the JPEG thumbnail, atomic renames, and reading the file back."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from tools.render.base import RenderResult

THUMB_WIDTH = 720


def temp_path_for(target: Path) -> Path:
    """A unique hidden file next to ``target`` (same filesystem, so rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.with_name(f".{target.stem}.{uuid.uuid4().hex}.part{target.suffix}")


def write_thumbnail(
    rgb: NDArray[np.uint8], sprites: list[tuple[NDArray[np.uint8], int, int]], path: Path
) -> None:
    """Save the scene with ``sprites`` (title, logo, ...) on it as a JPEG at ``path``."""
    img = Image.fromarray(rgb, "RGB").convert("RGBA")
    for sprite, x, y in sprites:
        img.alpha_composite(Image.fromarray(sprite, "RGBA"), (max(0, x), max(0, y)))
    w, h = img.size
    thumb = img.convert("RGB").resize(
        (THUMB_WIDTH, round(h * THUMB_WIDTH / w)), Image.Resampling.LANCZOS
    )
    tmp = temp_path_for(path)
    try:
        thumb.save(tmp, format="JPEG", quality=88, optimize=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def probe(video: Path, thumbnail: Path, warnings: list[str]) -> RenderResult:
    """Describe the written reel from the file itself."""
    with av.open(str(video)) as c:
        v = c.streams.video[0]
        a = c.streams.audio[0] if c.streams.audio else None
        if v.duration is not None and v.time_base is not None:
            seconds = float(v.duration * v.time_base)
        else:
            seconds = (c.duration or 0) / 1_000_000
        return RenderResult(
            video_path=video,
            thumbnail_path=thumbnail,
            duration_ms=round(seconds * 1000),
            width=v.codec_context.width,
            height=v.codec_context.height,
            video_codec=v.codec_context.name,
            audio_codec=a.codec_context.name if a is not None else "",
            size_bytes=video.stat().st_size,
            warnings=list(warnings),
        )

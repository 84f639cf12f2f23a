"""Probing the creator's files (photos, clips, audio) and copying them under the media folder."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from agent.setup.errors import SetupError

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


class MediaProbe(BaseModel):
    """What a file turned out to be."""

    kind: Literal["photo", "video", "audio"]
    resolution: str | None = None
    duration_ms: int | None = None
    codec: str | None = None
    size_bytes: int


def _readable(path: Path) -> Path:
    if not path.exists():
        raise SetupError(f"no such file: {path}")
    if not path.is_file():
        raise SetupError(f"{path} is not a file")
    return path


def _photo(path: Path) -> MediaProbe | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            fmt = image.format or ""
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    if fmt not in PHOTO_FORMATS:
        return None
    return MediaProbe(
        kind="photo",
        resolution=f"{width}x{height}",
        codec=fmt.lower(),
        size_bytes=path.stat().st_size,
    )


def _av(path: Path) -> MediaProbe | None:
    import av

    try:
        with av.open(str(path)) as container:
            if container.format.name == "image2" or container.format.name.endswith("_pipe"):
                return None
            duration = int(container.duration * 1000 / av.time_base) if container.duration else None
            if container.streams.video:
                stream = container.streams.video[0]
                width, height = stream.codec_context.width, stream.codec_context.height
                if not width or not height or not duration:
                    return None
                return MediaProbe(
                    kind="video",
                    resolution=f"{width}x{height}",
                    duration_ms=duration,
                    codec=stream.codec_context.name,
                    size_bytes=path.stat().st_size,
                )
            if container.streams.audio and duration:
                return MediaProbe(
                    kind="audio",
                    duration_ms=duration,
                    codec=container.streams.audio[0].codec_context.name,
                    size_bytes=path.stat().st_size,
                )
    except (av.error.FFmpegError, OSError, ValueError):
        return None
    return None


def probe(path: Path, *, allowed: set[str]) -> MediaProbe:
    """What ``path`` is, if it is one of the ``allowed`` kinds (photo, video, audio).

    Raises:
        SetupError: The file is missing, unreadable, or not media of an allowed kind.
    """
    path = _readable(Path(path))
    found = _photo(path)  # FFmpeg opens still images too: a photo is never a clip
    if found is None:
        found = _av(path)
    if found is None or found.kind not in allowed:
        what = " or ".join(
            sorted(
                {
                    "photo": "a photo (JPEG, PNG, WebP)",
                    "video": "a video clip",
                    "audio": "an audio recording",
                }[k]
                for k in allowed
            )
        )
        raise SetupError(f"{path.name} is not {what}")
    return found


def store_copy(source: Path, folder: Path) -> Path:
    """Copy ``source`` into ``folder`` under a fresh name that keeps its extension."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex[:12]}{Path(source).suffix.lower()}"
    shutil.copyfile(source, target)
    return target

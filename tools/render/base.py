"""Render contract: script + speech + twin look -> mp4 reel and JPEG thumbnail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from tools.render.inputs import Brand, Cutaway, Likeness
from tools.tts.base import SpeechResult

Aspect = Literal["9_16", "1_1", "4_5"]
StylePreset = Literal["space", "goddess", "hyperreal", "corporate", "custom"]

ASPECT_SIZES: dict[str, tuple[int, int]] = {
    "9_16": (1080, 1920),
    "1_1": (1080, 1080),
    "4_5": (1080, 1350),
}


class RenderRequest(BaseModel):
    """Everything one reel render needs; paths are absolute."""

    title: str
    script_text: str
    speech: SpeechResult
    style_preset: StylePreset = "space"
    aspect: Aspect = "9_16"
    avatar_dir: Path | None = None
    music_path: Path | None = None
    target_duration_sec: int = Field(default=30, ge=1, le=30)
    out_path: Path
    thumbnail_path: Path
    language: str = "en"
    quality: Literal["full", "draft"] = "full"
    likeness: Likeness | None = None
    """The creator's photo or clips in place of the drawn avatar (None: ``avatar_dir``)."""
    brand: Brand | None = None
    """Brand colours, font, logo watermark and disclosure line (None: the style's own)."""
    cutaways: list[Cutaway] = Field(default_factory=list)
    """The creator's own clips and B-roll photos cut into the reel."""


class RenderResult(BaseModel):
    """What was written, as read back from the file."""

    video_path: Path
    thumbnail_path: Path
    duration_ms: int
    width: int
    height: int
    video_codec: str
    audio_codec: str
    size_bytes: int
    warnings: list[str] = Field(default_factory=list)


class RenderError(RuntimeError):
    """A render failure a user can act on (corrupt image, empty script, ...)."""


ProgressCallback = Callable[[float], None]

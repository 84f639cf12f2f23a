"""Optional render inputs: the creator's likeness, their brand, and cutaways to their own media."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
CLIP_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv")
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")

Corner = Literal["top_left", "top_right", "bottom_left", "bottom_right"]
CutawayLayout = Literal["full", "pip"]


class Likeness(BaseModel):
    """The creator's own face, in place of the drawn avatar (use only with their consent).

    A photo is preferred: the renderer finds the face, frames head and shoulders, moves the
    picture gently and opens the mouth in time with the speech. Without a photo, the first
    clip plays inside the avatar card, framed on the face found in its first frame.
    """

    photos: list[Path] = Field(default_factory=list)
    """Portrait photos (PNG/JPEG/WebP); the first one in which a face is found is used."""
    clips: list[Path] = Field(default_factory=list)
    """Video clips of the creator (MP4/MOV/...), used when no photo is given."""

    @model_validator(mode="after")
    def _something_given(self) -> Likeness:
        if not self.photos and not self.clips:
            raise ValueError("a likeness needs at least one photo or one clip")
        return self


class Brand(BaseModel):
    """The creator's brand: colours, typeface, logo watermark and a required disclosure."""

    palette: list[str] = Field(default_factory=list, max_length=6)
    """Brand colours as ``#rrggbb``, main colour first: the first colours the spoken-word
    highlight, the title box and the avatar frame; the second, when given, the background;
    the third, when given, the caption text."""
    font_path: Path | None = None
    """A TrueType/OpenType file for captions and title (shipped fonts fill missing glyphs)."""
    logo_path: Path | None = None
    """A logo image (PNG with transparency works best), drawn as a corner watermark."""
    logo_corner: Corner = "top_right"
    disclosure: str | None = Field(default=None, max_length=120)
    """A line burned into every frame, e.g. "AI-generated with my digital twin"."""

    @field_validator("palette")
    @classmethod
    def _hex_colours(cls, value: list[str]) -> list[str]:
        out = []
        for colour in value:
            m = _HEX.match(colour.strip())
            if m is None:
                raise ValueError(f"brand colour {colour!r} is not a #rrggbb colour")
            out.append("#" + m.group(1).lower())
        return out

    @field_validator("disclosure")
    @classmethod
    def _non_blank(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    def colours(self) -> list[tuple[int, int, int]]:
        """The palette as RGB triples."""
        return [(int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)) for c in self.palette]


class Cutaway(BaseModel):
    """One of the creator's own clips or B-roll photos, cut into the reel for a while.

    With ``start_ms``/``end_ms`` it is shown exactly then; without them the renderer places
    it between caption beats, after the opening hook and before the closing words. A clip
    shorter than its slot ends the cutaway early; the clip's own sound is not used.
    """

    path: Path
    start_ms: int | None = Field(default=None, ge=0)
    """When the cutaway starts in the reel (None: placed automatically)."""
    end_ms: int | None = Field(default=None, gt=0)
    """When it ends in the reel (None: a few seconds, or the clip's length if shorter)."""
    clip_from_ms: int = Field(default=0, ge=0)
    """Where to start inside the clip."""
    layout: CutawayLayout = "full"
    """``full``: fills the frame under the captions; ``pip``: a box over the twin's scene."""

    @model_validator(mode="after")
    def _ordered(self) -> Cutaway:
        if self.end_ms is not None and self.start_ms is not None and self.end_ms <= self.start_ms:
            raise ValueError("a cutaway must end after it starts")
        return self

    @property
    def is_photo(self) -> bool:
        """True for a still image (shown with a slow zoom)."""
        return self.path.suffix.lower() in PHOTO_SUFFIXES

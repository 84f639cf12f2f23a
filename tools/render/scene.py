"""Build the static part of a reel (background, card) and its moving avatar layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from tools.render.avatar import (
    IMAGE_SUFFIXES,
    AvatarLayer,
    ImageAvatar,
    VideoAvatar,
    _cover,
    find_avatar,
)
from tools.render.background import Rect, card_mask, card_rect, paint_background
from tools.render.base import RenderError
from tools.render.paste import CardPaster
from tools.render.styles import StyleSpec
from tools.render.yuv import frame_buffer, rgb_to_planes


@dataclass(frozen=True)
class RenderOptions:
    """What to draw; ``render_reel`` derives these from ``RenderRequest.quality``."""

    motion: bool = True
    """Slow avatar drift (off: the avatar is a still)."""
    word_highlight: bool = True
    """Colour the word being spoken."""
    hook_title: bool = True
    """Show the title as an opening hook for the first ~2 s."""
    animate_title: bool = True
    """Pop the title in and fade it out (off: plain cut)."""
    rich_background: bool = True
    """Blurred glows and soft decorations in the style background."""
    full_bleed: bool = False
    """Avatar image fills the frame as a still background (the plain "reference" look)."""


@dataclass
class Scene:
    """Static background planes/RGB plus the optional moving avatar."""

    bg: NDArray[np.uint8]
    """Contiguous yuv420p buffer of the static background."""
    bg_rgb: NDArray[np.uint8]
    card: Rect | None = None
    mask: NDArray[np.uint8] | None = None
    avatar: AvatarLayer | None = None
    paster: CardPaster | None = None
    warnings: list[str] = field(default_factory=list)


def _to_buffer(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    planes = rgb_to_planes(rgb)
    w, h = planes.size
    buf, view = frame_buffer(w, h)
    view.y[...], view.u[...], view.v[...] = planes.y, planes.u, planes.v
    return buf


def _full_bleed(path: Path, width: int, height: int) -> NDArray[np.uint8]:
    try:
        with Image.open(path) as im:
            im.load()
            img = ImageOps.exif_transpose(im).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise RenderError(
            f"background image {path.name} is corrupt or not an image; replace it"
        ) from exc
    return np.asarray(_cover(img, width, height))


def build_scene(
    style: StyleSpec,
    avatar_dir: Path | None,
    width: int,
    height: int,
    *,
    fps: int,
    duration_s: float,
    options: RenderOptions,
    likeness: Callable[[Rect], AvatarLayer] | None = None,
) -> Scene:
    """Paint the background once and prepare the avatar card.

    Args:
        style: the preset (already branded).
        avatar_dir: folder with the twin's avatar image or clip (ignored with ``likeness``).
        width: frame width.
        height: frame height.
        fps: frame rate.
        duration_s: reel length.
        options: what to draw.
        likeness: builds the creator's likeness layer for the card rectangle.

    Raises:
        RenderError: if the avatar file exists but cannot be read.
    """
    if likeness is not None:
        rect = card_rect(style, width, height)
        mask = card_mask(style, rect)
        rgb = paint_background(style, width, height, rect, mask, options.rich_background)
        return Scene(
            bg=_to_buffer(rgb),
            bg_rgb=rgb,
            card=rect,
            mask=mask,
            avatar=likeness(rect),
            paster=CardPaster(rect, mask),
        )
    avatar_path = find_avatar(avatar_dir)
    warnings: list[str] = []
    if avatar_path is None:
        where = str(avatar_dir) if avatar_dir is not None else "(no assets folder given)"
        warnings.append(
            f"no avatar image or video found in {where}; the reel uses the {style.name} "
            "background only - add a .png/.jpg/.webp portrait or .mp4/.mov clip to the "
            "twin's assets folder"
        )
    if (
        options.full_bleed
        and avatar_path is not None
        and avatar_path.suffix.lower() in IMAGE_SUFFIXES
    ):
        rgb = _full_bleed(avatar_path, width, height)
        return Scene(bg=_to_buffer(rgb), bg_rgb=rgb, warnings=warnings)
    if avatar_path is None:
        rgb = paint_background(style, width, height, None, None, options.rich_background)
        return Scene(bg=_to_buffer(rgb), bg_rgb=rgb, warnings=warnings)
    rect = card_rect(style, width, height)
    mask = card_mask(style, rect)
    avatar: AvatarLayer
    if avatar_path.suffix.lower() in IMAGE_SUFFIXES:
        avatar = ImageAvatar(
            avatar_path, rect, style, fps=fps, duration_s=duration_s, motion=options.motion
        )
    else:
        avatar = VideoAvatar(avatar_path, rect, step=2 if options.motion else 10**9, fps=fps)
    rgb = paint_background(style, width, height, rect, mask, options.rich_background)
    return Scene(
        bg=_to_buffer(rgb),
        bg_rgb=rgb,
        card=rect,
        mask=mask,
        avatar=avatar,
        paster=CardPaster(rect, mask),
        warnings=warnings,
    )


def compose_rgb(scene: Scene) -> NDArray[np.uint8]:
    """RGB picture of the scene's first frame (no text), for the thumbnail."""
    rgb = scene.bg_rgb.copy()
    if scene.avatar is not None and scene.card is not None and scene.mask is not None:
        r = scene.card
        a = scene.mask.astype(np.float32)[..., None] / 255.0
        region = rgb[r.y : r.y + r.h, r.x : r.x + r.w].astype(np.float32)
        card = scene.avatar.preview_rgb().astype(np.float32)
        rgb[r.y : r.y + r.h, r.x : r.x + r.w] = (region * (1 - a) + card * a).astype(np.uint8)
    return rgb

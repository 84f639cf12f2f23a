"""The creator's brand on the reel: palette and typeface in the style, logo and disclosure marks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from fontTools.ttLib import TTFont, TTLibError
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from tools.render.fonts import GlyphFilter
from tools.render.inputs import Brand
from tools.render.styles import RGB, StyleSpec
from tools.render.textblock import BlockLook, Word, draw_block, fit

LOGO_BOX = (0.17, 0.075)
"""Largest logo as shares of the frame width and height."""
LOGO_OPACITY = 0.9
_DARK: RGB = (16, 16, 20)
_LIGHT: RGB = (255, 255, 255)


def luminance(c: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def lin(v: int) -> float:
        s = v / 255.0
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio (1..21) between two colours."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(c: RGB) -> RGB:
    """White or near-black, whichever reads better on ``c``."""
    return _LIGHT if contrast(_LIGHT, c) >= contrast(_DARK, c) else _DARK


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def usable_font(path: Path | None, warnings: list[str]) -> str | None:
    """``path`` as a font name the renderer can use, or None (with a warning) when it is not."""
    if path is None:
        return None
    try:
        font = TTFont(path, lazy=True)
        try:
            if not font.getBestCmap():
                raise TTLibError("no character map")
        finally:
            font.close()
    except (TTLibError, OSError, ValueError, AssertionError) as exc:
        warnings.append(
            f"brand font {path.name} cannot be used ({exc.__class__.__name__}); the style's "
            "font is used instead - give a .ttf or .otf file"
        )
        return None
    return str(path)


def branded_style(style: StyleSpec, brand: Brand | None, warnings: list[str]) -> StyleSpec:
    """``style`` with the brand's colours and font; text colours keep readable contrast."""
    if brand is None:
        return style
    colours = brand.colours()
    changes: dict[str, object] = {}
    font = usable_font(brand.font_path, warnings)
    if font is not None:
        changes["font"] = font
    if colours:
        main = colours[0]
        changes.update(
            accent=main,
            highlight=main,
            title_box=(*main, style.title_box[3]),
            title_fill=text_on(main),
        )
        if style.border is not None:
            changes["border"] = main
        if style.highlight_mode == "pill":
            changes["highlight_text"] = text_on(main)
        elif contrast(main, style.caption_stroke) < 2.2:
            # A coloured word must stand out from its outline; else it gets a pill behind it.
            changes.update(highlight_mode="pill", highlight_text=text_on(main))
    if len(colours) > 1:
        second = colours[1]
        changes.update(bg_top=second, bg_bottom=_mix(second, (0, 0, 0), 0.45), tint=second)
    if len(colours) > 2:
        fill = colours[2]
        box = style.caption_box
        behind = box[:3] if box is not None else style.caption_stroke
        if contrast(fill, behind) < 3.0:
            behind = text_on(fill)
            if box is None:
                changes["caption_stroke"] = behind
        if box is None or contrast(fill, box[:3]) >= 3.0:
            changes["caption_fill"] = fill
    return replace(style, **changes)  # type: ignore[arg-type]


def _load_logo(path: Path, warnings: list[str]) -> Image.Image | None:
    try:
        with Image.open(path) as im:
            im.load()
            return ImageOps.exif_transpose(im).convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        warnings.append(
            f"brand logo {path.name} is missing or not an image ({exc.__class__.__name__}); "
            "the reel has no logo - give a PNG (transparent background) or JPEG"
        )
        return None


def _vertical_band(aspect: str) -> tuple[float, float]:
    """Top and bottom of the band marks may use: clear of a 9:16 app's own buttons and text."""
    return (0.075, 0.79) if aspect == "9_16" else (0.035, 0.965)


Sprite = tuple[NDArray[np.uint8], int, int]
"""An RGBA picture and the frame position of its top-left corner."""


def logo_sprite(
    brand: Brand,
    width: int,
    height: int,
    aspect: str,
    warnings: list[str],
    above: int | None = None,
) -> Sprite | None:
    """The logo watermark (at watermark opacity), or None without a usable logo.

    A bottom-corner logo ends above row ``above`` when given (the disclosure line's top).
    """
    if brand.logo_path is None:
        return None
    img = _load_logo(brand.logo_path, warnings)
    if img is None:
        return None
    box_w, box_h = LOGO_BOX[0] * width, LOGO_BOX[1] * height
    k = min(box_w / img.width, box_h / img.height)
    w, h = max(2, round(img.width * k)), max(2, round(img.height * k))
    rgba = np.array(img.resize((w, h), Image.Resampling.LANCZOS))
    rgba[..., 3] = (rgba[..., 3].astype(np.float32) * LOGO_OPACITY).astype(np.uint8)
    top, bottom = _vertical_band(aspect)
    margin = round(0.045 * width)
    x = margin if brand.logo_corner.endswith("left") else width - margin - w
    low = round(bottom * height) if above is None else min(round(bottom * height), above - 8)
    y = round(top * height) if brand.logo_corner.startswith("top") else low - h
    return rgba, x, y


def disclosure_sprite(
    text: str, font: str, width: int, height: int, aspect: str
) -> tuple[Sprite, GlyphFilter]:
    """The disclosure line, small and boxed, at the bottom of the band marks may use."""
    glyphs = GlyphFilter(font)
    words = []
    for i, raw in enumerate(text.split()):
        clean, name = glyphs.clean(raw)
        words.append(Word(clean, name, i))
    size = max(12, round(width * 0.03))
    layout = fit(words, width * 0.86, 2, size, max(10, round(size * 0.75)))
    look = BlockLook(fill=(255, 255, 255), box=(0, 0, 0, 150))
    rgba: NDArray[np.uint8] = draw_block(layout, look)
    h, w = rgba.shape[:2]
    _top, bottom = _vertical_band(aspect)
    y = round(bottom * height) - h
    return (rgba, (width - w) // 2, y), glyphs

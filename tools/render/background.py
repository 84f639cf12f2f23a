"""Static style backgrounds, the avatar card geometry and its antialiased mask."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFilter

from tools.render.styles import StyleSpec


@dataclass(frozen=True)
class Rect:
    """An even-aligned rectangle in frame pixels."""

    x: int
    y: int
    w: int
    h: int


def _even(v: float) -> int:
    return round(v / 2.0) * 2


def card_rect(style: StyleSpec, width: int, height: int) -> Rect:
    """Where the avatar sits in a frame of ``width`` x ``height``."""
    if style.card_shape == "feather":
        return Rect(0, 0, width, _even(height * style.card_height))
    h = height * style.card_height
    w = min(width * 0.86, h * style.card_aspect)
    h = min(h, w / style.card_aspect)
    cy = height * style.card_center_y
    return Rect(_even((width - w) / 2), _even(cy - h / 2), _even(w), _even(h))


def card_mask(style: StyleSpec, rect: Rect) -> NDArray[np.uint8]:
    """Antialiased coverage (0..255) of the avatar card, shape set by the style."""
    if style.card_shape == "feather":
        mask = np.full((rect.h, rect.w), 255, dtype=np.uint8)
        fade = max(2, int(rect.h * 0.22))
        ramp = np.linspace(255, 0, fade, dtype=np.float32) ** 1.0
        mask[rect.h - fade :] = ramp.astype(np.uint8)[:, None]
        return mask
    ss = 4
    big = Image.new("L", (rect.w * ss, rect.h * ss), 0)
    d = ImageDraw.Draw(big)
    W, H = rect.w * ss - 1, rect.h * ss - 1
    if style.card_shape == "circle":
        d.ellipse((0, 0, W, H), fill=255)
    elif style.card_shape == "arch":
        d.rounded_rectangle((0, W // 2, W, H), radius=int(W * 0.05), fill=255)
        d.ellipse((0, 0, W, W), fill=255)
    else:
        d.rounded_rectangle((0, 0, W, H), radius=int(W * 0.06), fill=255)
    return np.asarray(big.resize((rect.w, rect.h), Image.Resampling.BOX))


def _gradient(
    top: tuple[int, int, int], bottom: tuple[int, int, int], w: int, h: int
) -> Image.Image:
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    a = np.array(top, dtype=np.float32)[None, None, :]
    b = np.array(bottom, dtype=np.float32)[None, None, :]
    col = a * (1 - t) + b * t
    return Image.fromarray(np.repeat(col, w, axis=1).clip(0, 255).astype(np.uint8), "RGB")


def _glow(
    img: Image.Image,
    shape: Image.Image,
    color: tuple[int, int, int],
    radius: float,
    strength: float,
) -> Image.Image:
    blurred = shape.filter(ImageFilter.GaussianBlur(radius))
    alpha = blurred.point(lambda v: int(v * strength))
    layer = Image.new("RGB", img.size, color)
    img.paste(layer, (0, 0), alpha)
    return img


def _pattern(style: StyleSpec, img: Image.Image, rich: bool) -> Image.Image:
    w, h = img.size
    rng = np.random.default_rng(7)
    s = w / 1080.0
    if style.pattern == "stars":
        over = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(over)
        for _ in range(int(w * h / 3500)):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            r = rng.choice([0.8, 1.2, 1.8, 2.6]) * s
            d.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.uniform(90, 255)))
        img.paste(Image.new("RGB", (w, h), (255, 255, 255)), (0, 0), over)
        if rich:
            for cx, cy, col in ((0.2, 0.18, style.accent), (0.85, 0.82, (190, 80, 255))):
                blob = Image.new("L", (w, h), 0)
                ImageDraw.Draw(blob).ellipse(
                    (cx * w - 0.35 * w, cy * h - 0.2 * w, cx * w + 0.35 * w, cy * h + 0.2 * w),
                    fill=255,
                )
                img = _glow(img, blob, col, 90 * s, 0.28)
    elif style.pattern == "bokeh":
        over = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(over)
        for _ in range(22):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(30, 120) * s
            d.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.uniform(40, 110)))
        if rich:
            over = over.filter(ImageFilter.GaussianBlur(6 * s))
        img.paste(Image.new("RGB", (w, h), (255, 236, 200)), (0, 0), over)
    elif style.pattern == "vignette":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
        shade = np.clip(1.0 - 0.45 * r**2, 0.35, 1.0)[..., None]
        img = Image.fromarray((np.asarray(img, dtype=np.float32) * shade).astype(np.uint8), "RGB")
    elif style.pattern == "grid":
        d = ImageDraw.Draw(img)
        step = int(64 * s)
        line = tuple(max(0, c - 14) for c in style.bg_top)
        for x in range(0, w, step):
            d.line((x, 0, x, h), fill=line, width=max(1, int(s)))
        for y in range(0, h, step):
            d.line((0, y, w, y), fill=line, width=max(1, int(s)))
        d.rectangle((0, int(h * 0.9), w, int(h * 0.9) + int(10 * s)), fill=style.accent)
    elif style.pattern == "stripes":
        over = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(over)
        step = int(90 * s)
        for k in range(-h, w + h, step):
            d.polygon([(k, 0), (k + step // 3, 0), (k + step // 3 - h, h), (k - h, h)], fill=34)
        img.paste(Image.new("RGB", (w, h), style.accent), (0, 0), over)
    return img


def paint_background(
    style: StyleSpec,
    width: int,
    height: int,
    card: Rect | None,
    mask: NDArray[np.uint8] | None,
    rich: bool = True,
) -> NDArray[np.uint8]:
    """Paint the style's static background (with the card's frame or glow) as RGB.

    Args:
        style: the preset.
        width: frame width.
        height: frame height.
        card: where the avatar goes, or None for no avatar.
        mask: the card's coverage mask (same size as ``card``).
        rich: draw the costlier decorations (blurred glows); off in draft quality.
    """
    img = _gradient(style.bg_top, style.bg_bottom, width, height)
    img = _pattern(style, img, rich)
    if card is not None and mask is not None and style.border is not None:
        s = width / 1080.0
        grow = max(3, int(8 * s))
        ring = Image.new("L", (width, height), 0)
        bigger = Image.fromarray(mask).resize((card.w + 2 * grow, card.h + 2 * grow))
        ring.paste(bigger, (card.x - grow, card.y - grow))
        if rich:
            img = _glow(img, ring, style.border, 22 * s, 0.85 if style.name == "space" else 0.45)
        img.paste(Image.new("RGB", (width, height), style.border), (0, 0), ring)
    return np.asarray(img)

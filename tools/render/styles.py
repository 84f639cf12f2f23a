"""Visual identity of each AI-twin style preset: palette, background, typography, motion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]

Pattern = Literal["stars", "bokeh", "vignette", "grid", "stripes"]
CardShape = Literal["circle", "arch", "feather", "rounded"]
HighlightMode = Literal["color", "pill"]


@dataclass(frozen=True)
class StyleSpec:
    """Everything that makes one preset look like itself."""

    name: str
    bg_top: RGB
    bg_bottom: RGB
    pattern: Pattern
    accent: RGB
    font: str
    """File name of the caption and title font in tools/render/fonts/."""
    uppercase: bool
    caption_fill: RGB
    caption_stroke: RGB
    highlight: RGB
    """Colour of the word being spoken (text colour, or the pill behind it)."""
    highlight_mode: HighlightMode
    highlight_text: RGB
    """Text colour of the highlighted word when ``highlight_mode`` is ``pill``."""
    caption_box: RGBA | None
    title_fill: RGB
    title_box: RGBA
    card_shape: CardShape
    card_center_y: float
    """Vertical centre of the avatar card as a fraction of the frame height."""
    card_height: float
    """Height of the avatar card as a fraction of the frame height."""
    card_aspect: float
    """Width / height of the avatar card (clamped to the frame width)."""
    border: RGB | None
    tint: RGB
    tint_strength: float
    pan: tuple[float, float]
    """Direction of the slow avatar drift (x, y); the speed comes from the engine."""
    caption_center_y: float
    """Vertical centre of the captions as a fraction of the frame height."""


STYLES: dict[str, StyleSpec] = {
    "space": StyleSpec(
        name="space",
        bg_top=(6, 8, 32),
        bg_bottom=(38, 10, 66),
        pattern="stars",
        accent=(120, 220, 255),
        font="DejaVuSansMono-Bold.ttf",
        uppercase=True,
        caption_fill=(240, 246, 255),
        caption_stroke=(10, 6, 40),
        highlight=(90, 230, 255),
        highlight_mode="color",
        highlight_text=(90, 230, 255),
        caption_box=None,
        title_fill=(230, 250, 255),
        title_box=(20, 16, 70, 200),
        card_shape="circle",
        card_center_y=0.40,
        card_height=0.40,
        card_aspect=1.0,
        border=(120, 220, 255),
        tint=(60, 80, 200),
        tint_strength=0.22,
        pan=(1.0, -0.6),
        caption_center_y=0.67,
    ),
    "goddess": StyleSpec(
        name="goddess",
        bg_top=(250, 214, 190),
        bg_bottom=(176, 84, 110),
        pattern="bokeh",
        accent=(232, 190, 96),
        font="DejaVuSerif-Bold.ttf",
        uppercase=False,
        caption_fill=(255, 250, 240),
        caption_stroke=(110, 40, 60),
        highlight=(255, 208, 92),
        highlight_mode="color",
        highlight_text=(255, 208, 92),
        caption_box=None,
        title_fill=(110, 40, 60),
        title_box=(255, 240, 220, 215),
        card_shape="arch",
        card_center_y=0.39,
        card_height=0.46,
        card_aspect=0.72,
        border=(232, 190, 96),
        tint=(255, 170, 120),
        tint_strength=0.15,
        pan=(0.0, -1.0),
        caption_center_y=0.68,
    ),
    "hyperreal": StyleSpec(
        name="hyperreal",
        bg_top=(18, 18, 18),
        bg_bottom=(4, 4, 4),
        pattern="vignette",
        accent=(255, 60, 60),
        font="DejaVuSans-Bold.ttf",
        uppercase=False,
        caption_fill=(255, 255, 255),
        caption_stroke=(0, 0, 0),
        highlight=(255, 226, 0),
        highlight_mode="color",
        highlight_text=(255, 226, 0),
        caption_box=None,
        title_fill=(255, 255, 255),
        title_box=(220, 30, 40, 230),
        card_shape="feather",
        card_center_y=0.33,
        card_height=0.66,
        card_aspect=9.0,
        border=None,
        tint=(0, 0, 0),
        tint_strength=0.0,
        pan=(1.0, 0.0),
        caption_center_y=0.69,
    ),
    "corporate": StyleSpec(
        name="corporate",
        bg_top=(236, 240, 246),
        bg_bottom=(206, 216, 230),
        pattern="grid",
        accent=(18, 76, 160),
        font="DejaVuSans-Bold.ttf",
        uppercase=False,
        caption_fill=(20, 32, 56),
        caption_stroke=(255, 255, 255),
        highlight=(18, 96, 200),
        highlight_mode="pill",
        highlight_text=(255, 255, 255),
        caption_box=(255, 255, 255, 235),
        title_fill=(255, 255, 255),
        title_box=(18, 60, 130, 240),
        card_shape="rounded",
        card_center_y=0.38,
        card_height=0.42,
        card_aspect=0.8,
        border=(18, 76, 160),
        tint=(0, 0, 0),
        tint_strength=0.0,
        pan=(0.0, 1.0),
        caption_center_y=0.68,
    ),
    "custom": StyleSpec(
        name="custom",
        bg_top=(0, 120, 128),
        bg_bottom=(10, 40, 60),
        pattern="stripes",
        accent=(255, 120, 90),
        font="DejaVuSans-Bold.ttf",
        uppercase=True,
        caption_fill=(255, 255, 255),
        caption_stroke=(0, 40, 50),
        highlight=(255, 120, 90),
        highlight_mode="pill",
        highlight_text=(255, 255, 255),
        caption_box=None,
        title_fill=(10, 40, 60),
        title_box=(255, 200, 80, 240),
        card_shape="rounded",
        card_center_y=0.39,
        card_height=0.44,
        card_aspect=0.85,
        border=(255, 120, 90),
        tint=(0, 160, 170),
        tint_strength=0.10,
        pan=(-0.8, 0.6),
        caption_center_y=0.68,
    ),
}

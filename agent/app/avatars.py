"""A starter avatar for each twin style, drawn locally, until the creator adds their own images."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image as PILImage

PALETTES = {
    "space": ((40, 30, 90), (90, 200, 255), (180, 120, 255)),
    "goddess": ((90, 50, 20), (255, 205, 120), (255, 140, 90)),
    "hyperreal": ((30, 35, 40), (235, 235, 240), (120, 200, 170)),
    "corporate": ((20, 40, 70), (120, 170, 230), (240, 240, 245)),
    "custom": ((20, 70, 70), (90, 220, 200), (255, 130, 110)),
}


def draw_avatar(style: str, size: int = 900) -> PILImage.Image:
    """A head-and-shoulders figure with a rim light in the style's colours (RGBA)."""
    from PIL import Image, ImageDraw, ImageFilter

    base, light, accent = PALETTES.get(style, PALETTES["custom"])
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    glow = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    g = ImageDraw.Draw(glow)
    g.ellipse((size * 0.12, size * 0.05, size * 0.88, size * 0.95), fill=(*accent, 150))
    img.alpha_composite(glow.filter(ImageFilter.GaussianBlur(size * 0.08)))
    figure = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    f = ImageDraw.Draw(figure)
    f.ellipse((size * 0.15, size * 0.62, size * 0.85, size * 1.3), fill=(*base, 255))  # shoulders
    f.rounded_rectangle(
        (size * 0.42, size * 0.5, size * 0.58, size * 0.7), radius=size * 0.05, fill=(*base, 255)
    )  # neck
    f.ellipse((size * 0.3, size * 0.14, size * 0.7, size * 0.6), fill=(*base, 255))  # head
    rim = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    r = ImageDraw.Draw(rim)
    r.ellipse(
        (size * 0.3, size * 0.14, size * 0.7, size * 0.6),
        outline=(*light, 255),
        width=max(4, size // 90),
    )
    r.arc(
        (size * 0.15, size * 0.62, size * 0.85, size * 1.3),
        190,
        350,
        fill=(*light, 255),
        width=max(4, size // 90),
    )
    img.alpha_composite(figure)
    img.alpha_composite(rim.filter(ImageFilter.GaussianBlur(2)))
    return img


def ensure_avatar(folder: Path, style: str) -> Path | None:
    """Write ``avatar.png`` into an empty avatar folder; leave a creator's own files alone."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(
        p.suffix.lower() in {".png", ".jpg", ".jpeg", ".webp", ".mp4", ".mov"}
        for p in folder.iterdir()
    ):
        return None
    path = folder / "avatar.png"
    draw_avatar(style).save(path)
    return path

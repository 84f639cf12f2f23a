"""The creator's brand on the reel: colours, font, logo watermark, disclosure line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from pydantic import ValidationError

from bench.render_inputs import frames_at
from tools.render import ASPECT_SIZES, STYLES, Brand, RenderRequest, render_reel
from tools.render.brand import branded_style, contrast
from tools.render.fonts import FONT_DIR
from tools.tts.base import SpeechResult

GREEN = (0, 230, 60)


def near(rgb: np.ndarray, color: tuple[int, int, int], tol: float = 40.0) -> np.ndarray:
    diff = rgb.astype(np.float32) - np.array(color, dtype=np.float32)
    return np.sqrt((diff**2).sum(axis=-1)) < tol


def _mid(speech: SpeechResult, k: int) -> float:
    w = speech.words[k]
    return (w.start_ms + w.end_ms) / 2000


@pytest.fixture(scope="module")
def logo(workdir: Path) -> Path:
    """A green ring logo on a transparent background."""
    img = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle((10, 10, 390, 190), radius=40, fill=(*GREEN, 255))
    path = workdir / "logo.png"
    img.save(path)
    return path


def test_palette_colours_the_spoken_word_and_the_background(
    request_for: Callable[..., RenderRequest], speech: SpeechResult
) -> None:
    brand = Brand(palette=["#FF7A00", "#102A43"])
    res = render_reel(request_for("brand_colours", brand=brand, quality="draft"))
    (frame,) = frames_at(res.video_path, [_mid(speech, 1)])
    h = frame.shape[0]
    assert near(frame[int(0.55 * h) : int(0.75 * h)], (255, 122, 0)).sum() > 300
    assert not near(frame, STYLES["space"].highlight).sum() > 50, "the style's own cyan is gone"
    corner = frame[int(0.9 * h) :, :60].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - np.array((0x10, 0x2A, 0x43)) * 0.7).max() < 40


def test_branded_text_stays_readable() -> None:
    pale = Brand(palette=["#F8F8F0", "#202020", "#FAFAFA"])
    corporate = branded_style(STYLES["corporate"], pale, [])
    assert contrast(corporate.title_fill, corporate.title_box[:3]) >= 4.5
    assert contrast(corporate.highlight_text, corporate.highlight) >= 4.5
    assert corporate.caption_fill == STYLES["corporate"].caption_fill, "white on a white box"
    dark = branded_style(STYLES["space"], Brand(palette=["#101830"]), [])
    assert dark.highlight_mode == "pill", "a dark highlight on a dark outline gets a pill"


def test_brand_font_draws_the_captions(
    request_for: Callable[..., RenderRequest], speech: SpeechResult, workdir: Path
) -> None:
    font = workdir / "MyBrand.ttf"
    font.write_bytes((FONT_DIR / "DejaVuSerif-Bold.ttf").read_bytes())
    plain = render_reel(request_for("font_plain", quality="draft"))
    branded = render_reel(request_for("font_brand", brand=Brand(font_path=font), quality="draft"))
    assert branded.warnings == []
    t = _mid(speech, 2)
    (a,) = frames_at(plain.video_path, [t])
    (b,) = frames_at(branded.video_path, [t])
    band = slice(int(0.6 * a.shape[0]), int(0.75 * a.shape[0]))
    assert np.abs(a[band].astype(np.int16) - b[band].astype(np.int16)).mean() > 2


def test_broken_font_and_logo_warn_and_still_render(
    request_for: Callable[..., RenderRequest], workdir: Path
) -> None:
    bad_font, bad_logo = workdir / "bad.ttf", workdir / "bad.png"
    bad_font.write_bytes(b"not a font")
    bad_logo.write_bytes(b"not a png")
    res = render_reel(
        request_for(
            "brand_broken",
            brand=Brand(font_path=bad_font, logo_path=bad_logo),
            quality="draft",
        )
    )
    assert any("bad.ttf" in w for w in res.warnings)
    assert any("bad.png" in w for w in res.warnings)
    assert res.video_path.exists()


@pytest.mark.parametrize("aspect", ["9_16", "1_1", "4_5"])
def test_logo_watermark_sits_in_its_corner_on_every_frame(
    request_for: Callable[..., RenderRequest], logo: Path, aspect: str
) -> None:
    brand = Brand(logo_path=logo, logo_corner="top_right")
    res = render_reel(request_for(f"logo_{aspect}", brand=brand, aspect=aspect, quality="draft"))
    w, h = ASPECT_SIZES[aspect]
    for frame in frames_at(res.video_path, [0.0, 1.5, 3.0]):
        green = near(frame, GREEN, 60)
        assert green[: h // 4, w // 2 :].sum() > 2000, "logo pixels in the top-right corner"
        assert green[:, : w // 2].sum() == 0 and green[h // 2 :].sum() == 0
    with Image.open(res.thumbnail_path) as thumb:
        small = np.asarray(thumb.convert("RGB"))
    assert near(small, GREEN, 60).sum() > 200, "the thumbnail carries the logo too"


def test_disclosure_line_is_burned_in(
    request_for: Callable[..., RenderRequest], speech: SpeechResult
) -> None:
    text = "AI-generated with my digital twin"
    plain = render_reel(request_for("disc_plain", quality="draft"))
    res = render_reel(request_for("disc", brand=Brand(disclosure=text), quality="draft"))
    h = ASPECT_SIZES["9_16"][1]
    band = slice(int(0.74 * h), int(0.8 * h))
    for t in (0.2, _mid(speech, 3), res.duration_ms / 1000 - 0.1):
        (a,) = frames_at(plain.video_path, [t])
        (b,) = frames_at(res.video_path, [t])
        assert (
            near(b[band], (255, 255, 255), 60).sum()
            > near(a[band], (255, 255, 255), 60).sum() + 300
        )
    assert np.abs(a[: int(0.7 * h)].astype(np.int16) - b[: int(0.7 * h)]).mean() < 1.0


def test_bad_brand_values_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError, match="not a #rrggbb colour"):
        Brand(palette=["orange"])
    assert Brand(palette=["ff7a00"]).palette == ["#ff7a00"]

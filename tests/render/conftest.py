"""Fixtures for render tests: synthetic speech, music, avatar images and decode helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.render_inputs import make_music, make_speech
from tools.render import RenderRequest
from tools.tts.base import SpeechResult

SCRIPT = "Start your day with one tiny habit that changes everything"


def make_avatar(path: Path, size: tuple[int, int] = (800, 1000)) -> Path:
    """A textured portrait-like test image (gradient, face-like shapes, fine detail)."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack(
        [
            120 + 80 * np.sin(xx / 37.0) * np.cos(yy / 53.0),
            90 + 60 * np.cos(xx / 23.0 + yy / 41.0),
            140 + 70 * np.sin(yy / 29.0),
        ],
        axis=-1,
    )
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    d.ellipse((w * 0.25, h * 0.15, w * 0.75, h * 0.6), fill=(226, 180, 150))
    d.ellipse((w * 0.36, h * 0.3, w * 0.44, h * 0.36), fill=(40, 30, 30))
    d.ellipse((w * 0.56, h * 0.3, w * 0.64, h * 0.36), fill=(40, 30, 30))
    d.rectangle((w * 0.2, h * 0.65, w * 0.8, h), fill=(30, 50, 120))
    img.save(path)
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A module-wide scratch folder."""
    return tmp_path_factory.mktemp("render")


@pytest.fixture(scope="module")
def speech(workdir: Path) -> SpeechResult:
    """About 3.6 s of voice-like speech with word timings."""
    return make_speech(workdir / "speech.wav", SCRIPT)


@pytest.fixture(scope="module")
def music(workdir: Path) -> Path:
    """A short stereo music loop."""
    return make_music(workdir / "music.wav")


@pytest.fixture(scope="module")
def assets(workdir: Path) -> Path:
    """A twin assets folder holding one portrait image."""
    d = workdir / "assets"
    d.mkdir(exist_ok=True)
    make_avatar(d / "portrait.png")
    return d


@pytest.fixture(scope="module")
def request_for(workdir: Path, speech: SpeechResult, assets: Path) -> Callable[..., RenderRequest]:
    """Build a RenderRequest with outputs in the scratch folder; keywords override fields."""

    def build(name: str, **kw: object) -> RenderRequest:
        fields: dict[str, object] = {
            "title": "One tiny habit changes everything",
            "script_text": SCRIPT,
            "speech": speech,
            "avatar_dir": assets,
            "out_path": workdir / f"{name}.mp4",
            "thumbnail_path": workdir / f"{name}.jpg",
        }
        fields.update(kw)
        return RenderRequest(**fields)  # type: ignore[arg-type]

    return build


PHOTO = Path(__import__("matplotlib").get_data_path()) / "sample_data" / "grace_hopper.jpg"
"""A real portrait photo that ships inside matplotlib (no download)."""


@pytest.fixture(scope="module")
def photo() -> Path:
    """A front-facing portrait photo of a person."""
    assert PHOTO.is_file(), "matplotlib's sample portrait is missing"
    return PHOTO


def write_clip(
    path: Path,
    size: tuple[int, int],
    frames: int,
    *,
    rate: int = 30,
    rotation: int = 0,
    paint: Callable[[int, np.ndarray], None] | None = None,
) -> Path:
    """Write an H.264 clip of ``size`` (odd sizes allowed) whose frames ``paint`` draws."""
    import av

    w, h = size
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=rate)
        s.width, s.height = w, h
        s.pix_fmt = "yuv444p" if (w % 2 or h % 2) else "yuv420p"
        if rotation:
            s.set_display_rotation(rotation)
        for i in range(frames):
            img = np.zeros((h, w, 3), np.uint8)
            img[:, :] = (200, 30, 200)
            if paint is not None:
                paint(i, img)
            out.mux(s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(s.encode(None))
    return path

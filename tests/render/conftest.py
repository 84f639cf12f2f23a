"""Fixtures for render tests: synthetic speech, music, avatar images and decode helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
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


@dataclass
class Decoded:
    """Frames of a reel (RGB arrays by index) and stream facts."""

    frames: list[np.ndarray]
    pts: list[int]
    video: dict[str, Any]
    audio: dict[str, Any] | None
    samples: np.ndarray

    def at(self, seconds: float) -> np.ndarray:
        """RGB frame shown at ``seconds``."""
        return self.frames[min(len(self.frames) - 1, int(seconds * 30 + 1e-6))]


def decode(path: Path) -> Decoded:
    """Decode every video frame (as RGB) and all audio of ``path`` with PyAV."""
    frames: list[np.ndarray] = []
    pts: list[int] = []
    chunks: list[np.ndarray] = []
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        cc = vs.codec_context
        video: dict[str, Any] = {
            "codec": cc.name,
            "profile": cc.profile,
            "pix_fmt": cc.pix_fmt,
            "width": cc.width,
            "height": cc.height,
            "rate": vs.average_rate,
            "duration": float(vs.duration * vs.time_base) if vs.duration and vs.time_base else None,
        }
        audio: dict[str, Any] | None = None
        if c.streams.audio:
            a = c.streams.audio[0]
            audio = {
                "codec": a.codec_context.name,
                "rate": a.codec_context.sample_rate,
                "duration": float(a.duration * a.time_base) if a.duration and a.time_base else None,
            }
        for frame in c.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            pts.append(int(frame.pts or 0))
    if audio is not None:
        with av.open(str(path)) as c:
            for aframe in c.decode(audio=0):
                chunks.append(aframe.to_ndarray().astype(np.float32))
    samples = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    return Decoded(frames, pts, video, audio, samples)


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

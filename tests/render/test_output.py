"""The written reel is a valid H.264 High / AAC 48 kHz MP4 of the right size and length."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.render_inputs import Decoded, decode, frames_at, make_speech
from tools.render import ASPECT_SIZES, RenderRequest, RenderResult, render_reel
from tools.tts.base import SpeechResult


@pytest.fixture(scope="module")
def full(
    request_for: Callable[..., RenderRequest], music: Path
) -> tuple[RenderResult, Decoded, list[float]]:
    """One full-quality 9:16 reel with music, decoded back."""
    calls: list[float] = []
    result = render_reel(request_for("full", music_path=music), progress=calls.append)
    return result, decode(result.video_path), calls


def expected_frames(speech: SpeechResult) -> int:
    end = max(speech.duration_ms, speech.words[-1].end_ms)
    return (end + 600) * 30 // 1000


def test_video_stream_is_h264_high_yuv420p_30fps_cfr(full, speech: SpeechResult) -> None:
    result, dec, _ = full
    assert dec.video["codec"] == "h264"
    assert dec.video["profile"] == "High"
    assert dec.video["pix_fmt"] == "yuv420p"
    assert (dec.video["width"], dec.video["height"]) == ASPECT_SIZES["9_16"]
    assert dec.video["rate"] == 30
    n = expected_frames(speech)
    assert len(dec.frames) == n
    steps = np.diff(dec.pts)
    assert len(set(steps.tolist())) == 1, "frame timestamps must be evenly spaced"
    assert abs(result.duration_ms - n * 1000 / 30) <= 34
    assert result.duration_ms >= speech.words[-1].end_ms, "the last word must not be cut"


def test_audio_is_aac_48k_not_silent_and_matches_video(full) -> None:
    _, dec, _ = full
    assert dec.audio is not None
    assert dec.audio["codec"] == "aac"
    assert dec.audio["rate"] == 48000
    rms = float(np.sqrt(np.mean(dec.samples**2)))
    assert rms > 0.02
    assert abs(dec.audio["duration"] - dec.video["duration"]) <= 0.05


def test_music_fills_the_tail_after_speech(full, speech: SpeechResult) -> None:
    _, dec, _ = full
    end = speech.words[-1].end_ms / 1000 + 0.1
    tail = dec.samples[:, int(end * 48000) : int((end + 0.3) * 48000)]
    assert float(np.sqrt(np.mean(tail**2))) > 0.005, "music should be audible after the voice"


def test_result_is_read_back_from_the_file(full) -> None:
    result, _dec, _ = full
    assert result.video_codec == "h264" and result.audio_codec == "aac"
    assert (result.width, result.height) == (1080, 1920)
    assert result.size_bytes == result.video_path.stat().st_size > 10_000
    data = result.video_path.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat"), "+faststart puts the index first"
    leftovers = [p for p in result.video_path.parent.iterdir() if ".part" in p.name]
    assert leftovers == []


def test_thumbnail_is_a_jpeg_of_the_reel_aspect(full) -> None:
    result, _, _ = full
    with Image.open(result.thumbnail_path) as im:
        assert im.format == "JPEG"
        assert abs(im.width / im.height - 1080 / 1920) < 0.01


def test_progress_is_reported_up_to_100(full) -> None:
    _, _, calls = full
    assert calls == sorted(calls)
    assert calls[-1] == 100.0
    assert 20 <= len(calls) <= 101


@pytest.mark.parametrize("aspect", ["1_1", "4_5"])
def test_other_aspects(request_for: Callable[..., RenderRequest], aspect: str) -> None:
    result = render_reel(request_for(f"aspect_{aspect}", aspect=aspect, quality="draft"))
    dec = decode(result.video_path)
    assert (dec.video["width"], dec.video["height"]) == ASPECT_SIZES[aspect]
    assert dec.video["profile"] == "High", "draft quality must stay High profile"
    with Image.open(result.thumbnail_path) as im:
        w, h = ASPECT_SIZES[aspect]
        assert abs(im.width / im.height - w / h) < 0.01


def test_duration_is_capped_at_target(request_for, workdir: Path) -> None:

    short = make_speech(workdir / "two.wav", "one two three four five", word_ms=300)
    assert 2000 < short.duration_ms <= 3000 - 100
    result = render_reel(
        request_for("capped", speech=short, target_duration_sec=3, quality="draft")
    )
    assert short.duration_ms <= result.duration_ms <= 3000


@pytest.mark.parametrize("aspect", ["9_16", "1_1", "4_5"])
def test_first_frame_matches_the_composed_picture(
    request_for: Callable[..., RenderRequest], aspect: str
) -> None:
    """Decoded pixels equal what was drawn (4:5's 1350 rows once shifted the colour planes)."""
    result = render_reel(request_for(f"exact_{aspect}", aspect=aspect, quality="draft"))
    (first,) = frames_at(result.video_path, [0.0])
    with Image.open(result.thumbnail_path) as im:
        thumb = np.asarray(im.convert("RGB"), dtype=np.float32)
    small = np.asarray(
        Image.fromarray(first).resize((thumb.shape[1], thumb.shape[0]), Image.Resampling.LANCZOS),
        dtype=np.float32,
    )
    assert np.abs(small - thumb).mean() < 4.0
    top = np.abs(small[:6] - thumb[:6]).mean()
    assert top < 6.0, f"the top rows are off by {top:.1f} (colour planes misplaced)"

"""What a viewer sees: captions with the spoken word highlighted, hook title, styles, motion."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from bench.render_inputs import Decoded, decode, make_speech
from tools.render import STYLES, RenderRequest, render_reel
from tools.render.background import card_rect
from tools.tts.base import SpeechResult

W, H = 1080, 1920


def near(rgb: np.ndarray, color: tuple[int, int, int], tol: float = 45.0) -> np.ndarray:
    """Mask of pixels within ``tol`` (Euclidean) of ``color``."""
    diff = rgb.astype(np.float32) - np.array(color, dtype=np.float32)
    return np.sqrt((diff**2).sum(axis=-1)) < tol


def caption_band(frame: np.ndarray) -> np.ndarray:
    return frame[int(0.15 * H) : int(0.75 * H)]


@pytest.fixture(scope="module")
def space(request_for: Callable[..., RenderRequest]) -> Decoded:
    return decode(render_reel(request_for("look_space", style_preset="space")).video_path)


def _mid(speech: SpeechResult, k: int) -> float:
    w = speech.words[k]
    return (w.start_ms + w.end_ms) / 2000


def test_spoken_word_is_highlighted_inside_safe_area(space: Decoded, speech: SpeechResult) -> None:
    hl = STYLES["space"].highlight
    frame = space.at(_mid(speech, 1))
    assert near(caption_band(frame), hl).sum() > 300, "highlight colour missing in captions"
    assert near(frame[: int(0.12 * H)], hl).sum() < 50, "nothing belongs in the top UI zone"
    assert near(frame[int(0.8 * H) :], hl).sum() < 50, "nothing belongs in the bottom UI zone"


def test_highlight_moves_from_word_to_word(space: Decoded, speech: SpeechResult) -> None:
    hl = STYLES["space"].highlight
    xs = []
    for k in (0, 1, 2):
        mask = near(space.at(_mid(speech, k))[int(0.55 * H) : int(0.75 * H)], hl)
        assert mask.sum() > 200
        xs.append(float(np.nonzero(mask)[1].mean()))
    assert xs[0] < xs[1] < xs[2], f"highlight should move left to right, got {xs}"


def test_captions_follow_the_words(space: Decoded, speech: SpeechResult) -> None:
    band = slice(int(0.6 * H), int(0.75 * H))
    first = space.at(_mid(speech, 0))[band].astype(np.int16)
    last = space.at(_mid(speech, len(speech.words) - 1))[band].astype(np.int16)
    assert np.abs(first - last).mean() > 3, "caption text must change as speech goes on"


def test_hook_title_shows_early_then_leaves(space: Decoded) -> None:
    box = STYLES["space"].title_box[:3]
    top = slice(int(0.12 * H), int(0.2 * H))
    early = space.at(1.0)[top]
    later = space.at(3.0)[top]
    assert np.abs(early.astype(np.int16) - later.astype(np.int16)).mean() > 8
    white = near(early, STYLES["space"].title_fill, 40).sum()
    assert white > 2000, "title text should be drawn in the first seconds"
    assert near(later, STYLES["space"].title_fill, 40).sum() < white / 4
    assert box is not None


def test_avatar_moves(space: Decoded) -> None:
    r = card_rect(STYLES["space"], W, H)
    # Compare the card's middle, clear of title (first 2 s) and captions.
    region = (slice(r.y + r.h // 3, r.y + r.h - 20), slice(r.x + 40, r.x + r.w - 40))
    a = space.at(2.2)[region].astype(np.int16)
    b = space.at(3.2)[region].astype(np.int16)
    assert np.abs(a - b).mean() > 1.0, "the avatar must not be a frozen still"


def test_presets_look_different(request_for: Callable[..., RenderRequest], workdir: Path) -> None:

    short = make_speech(workdir / "short.wav", "hello there friends", word_ms=250)
    means = {}
    for name in STYLES:
        res = render_reel(
            request_for(f"style_{name}", style_preset=name, speech=short, quality="draft")
        )
        frame = decode(res.video_path).at(0.5)
        means[name] = frame.reshape(-1, 3).mean(axis=0)
    names = list(means)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            d = float(np.abs(means[a] - means[b]).max())
            assert d > 6, f"{a} and {b} look alike (mean colour difference {d:.1f})"


def test_video_avatar_plays(request_for: Callable[..., RenderRequest], workdir: Path) -> None:
    d = workdir / "video_assets"
    d.mkdir()
    clip = d / "clip.mp4"
    with av.open(str(clip), "w") as out:
        s = out.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 320, 400, "yuv420p"
        for i in range(45):
            img = np.zeros((400, 320, 3), np.uint8)
            img[:, :] = (40, 60, 90)
            x = 20 + i * 5
            img[150:250, x : x + 60] = (250, 200, 40)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            out.mux(s.encode(frame))
        out.mux(s.encode(None))
    res = render_reel(request_for("video_avatar", avatar_dir=d, style_preset="corporate"))
    dec = decode(res.video_path)
    r = card_rect(STYLES["corporate"], W, H)
    region = (slice(r.y + r.h // 3, r.y + 2 * r.h // 3), slice(r.x, r.x + r.w))
    a, b = dec.at(2.2)[region].astype(np.int16), dec.at(2.6)[region].astype(np.int16)
    assert np.abs(a - b).mean() > 1.0
    assert res.warnings == []

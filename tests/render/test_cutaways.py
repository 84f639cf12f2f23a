"""The creator's own clips and B-roll photos cut into the reel, at the right time and place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from bench.render_inputs import frames_at, make_speech
from tests.render.conftest import write_clip
from tools.render import Cutaway, RenderRequest, render_reel
from tools.render.captions import group_words
from tools.render.cutaways import HOOK_MS, pip_rect
from tools.tts.base import SpeechResult

MAGENTA = (200, 30, 200)
W, H = 1080, 1920


def magenta_share(frame: np.ndarray, region: tuple[slice, slice] | None = None) -> float:
    """Share of pixels that show the test clips' magenta."""
    f = frame if region is None else frame[region]
    diff = np.abs(f.astype(np.int16) - np.array(MAGENTA, np.int16)).sum(axis=-1)
    return float((diff < 70).mean())


@pytest.fixture(scope="module")
def long_speech(workdir: Path) -> SpeechResult:
    """About 9 s of speech in several caption groups."""
    text = "Start small. Pick one habit today, then keep it for a week. Tell me how it went"
    return make_speech(workdir / "long.wav", text, word_ms=280, gap_ms=110)


@pytest.fixture(scope="module")
def clip(workdir: Path) -> Path:
    """A 4 s magenta clip at 24 fps, odd-sized, with a bar that moves."""

    def paint(i: int, img: np.ndarray) -> None:
        x = (8 * i) % (img.shape[1] - 30)
        img[:, x : x + 30] = (240, 240, 240)

    return write_clip(workdir / "broll.mp4", (333, 187), 96, rate=24, paint=paint)


def test_timed_clip_fills_the_frame_exactly_in_its_range(
    request_for: Callable[..., RenderRequest], long_speech: SpeechResult, clip: Path
) -> None:
    cut = Cutaway(path=clip, start_ms=2500, end_ms=4000)
    res = render_reel(request_for("cut_timed", speech=long_speech, cutaways=[cut]))
    assert res.warnings == []
    before, first, middle, last, after = frames_at(res.video_path, [2.4, 2.5, 3.2, 3.96, 4.05])
    assert magenta_share(before) < 0.01 and magenta_share(after) < 0.01
    for frame in (first, middle, last):
        assert magenta_share(frame) > 0.6, "the clip fills the frame during its slot"
    a, b = frames_at(res.video_path, [2.7, 3.5])
    assert np.abs(a.astype(np.int16) - b.astype(np.int16)).mean() > 1.0, "the clip plays"


def test_clip_shorter_than_its_slot_ends_early(
    request_for: Callable[..., RenderRequest], long_speech: SpeechResult, workdir: Path
) -> None:
    short = write_clip(workdir / "short.mp4", (320, 240), 15, rate=30)  # 0.5 s
    cut = Cutaway(path=short, start_ms=3000, end_ms=6000)
    res = render_reel(request_for("cut_short", speech=long_speech, cutaways=[cut], quality="draft"))
    assert any("short.mp4" in w and "shorter" in w for w in res.warnings), res.warnings
    during, after = frames_at(res.video_path, [3.2, 4.0])
    assert magenta_share(during) > 0.6
    assert magenta_share(after) < 0.01, "the reel returns to the twin when the clip ends"


def test_untimed_cutaways_start_on_caption_beats_after_the_hook(
    request_for: Callable[..., RenderRequest], long_speech: SpeechResult, clip: Path
) -> None:
    cuts = [Cutaway(path=clip), Cutaway(path=clip, clip_from_ms=1000)]
    res = render_reel(request_for("cut_auto", speech=long_speech, cutaways=cuts, quality="draft"))
    assert res.warnings == []
    with av.open(str(res.video_path)) as c:
        shown = [
            magenta_share(f.to_ndarray(format="rgb24")[::8, ::8]) > 0.6 for f in c.decode(video=0)
        ]
    n = len(shown)
    starts = [i for i in range(1, n) if shown[i] and not shown[i - 1]]
    assert len(starts) == 2, "two separate cutaways, with the twin in between"
    beats = [long_speech.words[g[0]].start_ms for g in group_words(long_speech.words)]
    for s in starts:
        assert s * 1000 / 30 >= HOOK_MS, "the opening hook stays on the twin"
        assert min(abs(s * 1000 / 30 - b) for b in beats) <= 34, "a cutaway starts on a beat"
    assert not shown[-1], "the twin closes the reel"


def test_rotated_phone_clip_stays_upright(
    request_for: Callable[..., RenderRequest], long_speech: SpeechResult, workdir: Path
) -> None:
    def paint(_i: int, img: np.ndarray) -> None:
        img[: img.shape[0] // 2] = (220, 30, 30)  # stored top half red
        img[img.shape[0] // 2 :] = (30, 30, 220)

    phone = write_clip(workdir / "phone.mov", (641, 361), 60, rate=60, rotation=-90, paint=paint)
    cut = Cutaway(path=phone, start_ms=2500, end_ms=3500)
    res = render_reel(request_for("cut_phone", speech=long_speech, cutaways=[cut], quality="draft"))
    (frame,) = frames_at(res.video_path, [3.0])
    band = frame[int(0.3 * H) : int(0.5 * H)]
    left = band[:, : W // 2 - 40].reshape(-1, 3).mean(axis=0)
    right = band[:, W // 2 + 40 :].reshape(-1, 3).mean(axis=0)
    # Turned a quarter clockwise (rotation -90), the stored top (red) is on the right.
    assert right[0] > right[2] + 80 and left[2] > left[0] + 80, (left, right)


def test_picture_in_picture_keeps_the_twin_on_screen(
    request_for: Callable[..., RenderRequest], long_speech: SpeechResult, clip: Path
) -> None:
    cut = Cutaway(path=clip, start_ms=2500, end_ms=4000, layout="pip")
    plain = render_reel(request_for("cut_none", speech=long_speech, quality="draft"))
    res = render_reel(request_for("cut_pip", speech=long_speech, cutaways=[cut], quality="draft"))
    (base,) = frames_at(plain.video_path, [3.0])
    (frame,) = frames_at(res.video_path, [3.0])
    r = pip_rect(W, H, "9_16")
    inside = (slice(r.y + 10, r.y + r.h - 10), slice(r.x + 10, r.x + r.w - 10))
    assert magenta_share(frame, inside) > 0.6, "the clip shows in its box"
    outside = (slice(int(0.85 * H), H), slice(0, W))
    assert np.abs(frame[outside].astype(np.int16) - base[outside].astype(np.int16)).mean() < 2
    assert magenta_share(frame) < 0.3, "the rest of the frame is the twin's scene"


def test_broll_photo_is_shown_with_a_slow_zoom(
    request_for: Callable[..., RenderRequest], long_speech: SpeechResult, workdir: Path
) -> None:
    img = np.zeros((900, 1200, 3), np.uint8)
    img[:, :] = MAGENTA
    img[400:500, :] = (250, 250, 250)  # a white stripe the zoom widens
    Image.fromarray(img).save(workdir / "desk.jpg")
    cut = Cutaway(path=workdir / "desk.jpg", start_ms=2500, end_ms=5000)
    res = render_reel(request_for("cut_photo", speech=long_speech, cutaways=[cut]))
    a, b = frames_at(res.video_path, [2.55, 4.95])
    assert magenta_share(a) > 0.5 and magenta_share(b) > 0.5

    def stripe(f: np.ndarray) -> int:
        col = f[:, 40].astype(np.int16)
        return int((np.abs(col - 250).sum(axis=-1) < 60).sum())

    assert stripe(b) > stripe(a), "the photo is zoomed in slowly"


def test_unreadable_cutaway_is_left_out_with_a_warning(
    request_for: Callable[..., RenderRequest], long_speech: SpeechResult, workdir: Path
) -> None:
    broken = workdir / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"junk" * 100)
    res = render_reel(
        request_for(
            "cut_broken",
            speech=long_speech,
            cutaways=[Cutaway(path=broken, start_ms=2500)],
            quality="draft",
        )
    )
    assert any("broken.mp4" in w and "left out" in w for w in res.warnings), res.warnings
    (frame,) = frames_at(res.video_path, [3.0])
    assert magenta_share(frame) < 0.01


def test_cutaway_after_the_end_is_left_out(
    request_for: Callable[..., RenderRequest], long_speech: SpeechResult, clip: Path
) -> None:
    cut = Cutaway(path=clip, start_ms=60_000)
    res = render_reel(request_for("cut_late", speech=long_speech, cutaways=[cut], quality="draft"))
    assert any("after the reel ends" in w for w in res.warnings)

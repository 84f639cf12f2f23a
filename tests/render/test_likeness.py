"""The creator's photo in place of the drawn avatar: found, framed, moving, talking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.render_inputs import frames_at, make_speech
from tests.render.conftest import write_clip
from tools.render import ASPECT_SIZES, STYLES, Likeness, RenderError, RenderRequest, render_reel
from tools.render.background import card_rect
from tools.render.face import find_face
from tools.tts.base import SpeechResult


@pytest.fixture(scope="module")
def paced(workdir: Path) -> SpeechResult:
    """Speech with clear pauses between words, long enough to outlast the hook title."""
    return make_speech(
        workdir / "paced.wav", "one two three four five six seven eight", word_ms=320, gap_ms=420
    )


def _mid(speech: SpeechResult, k: int) -> float:
    w = speech.words[k]
    return (w.start_ms + w.end_ms) / 2000


def _gap(speech: SpeechResult, k: int) -> float:
    return (speech.words[k].end_ms + speech.words[k + 1].start_ms) / 2000


def _face_similarity(frame: np.ndarray, photo: Path) -> float:
    """Correlation between the face found in ``frame`` and the photo's own face."""
    src = np.asarray(Image.open(photo).convert("RGB"))
    a, b = find_face(frame), find_face(src)
    assert a is not None, "no face is visible in the reel"
    assert b is not None
    crop = src[int(b.y) : int(b.y + b.h), int(b.x) : int(b.x + b.w)]
    seen = frame[int(a.y) : int(a.y + a.h), int(a.x) : int(a.x + a.w)]
    crop = cv2.resize(crop, (seen.shape[1], seen.shape[0]), interpolation=cv2.INTER_AREA)
    g1 = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g2 = cv2.cvtColor(seen, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g1, g2 = g1 - g1.mean(), g2 - g2.mean()
    return float((g1 * g2).sum() / np.sqrt((g1 * g1).sum() * (g2 * g2).sum()))


def _mouth_dark_pixels(frame: np.ndarray, face_frame: np.ndarray) -> int:
    face = find_face(face_frame)
    assert face is not None
    x0, x1 = int(face.x + 0.3 * face.w), int(face.x + 0.7 * face.w)
    y0, y1 = int(face.y + 0.62 * face.h), int(face.y + 0.95 * face.h)
    luma = cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    return int((luma < 75).sum())


@pytest.fixture(scope="module")
def talking(
    request_for: Callable[..., RenderRequest], photo: Path, paced: SpeechResult
) -> tuple[Path, list[str]]:
    res = render_reel(
        request_for("talking", speech=paced, avatar_dir=None, likeness=Likeness(photos=[photo]))
    )
    return res.video_path, res.warnings


def test_photo_replaces_the_avatar_in_its_card(
    talking: tuple[Path, list[str]], photo: Path
) -> None:
    video, warnings = talking
    assert warnings == []
    (frame,) = frames_at(video, [2.5])
    face = find_face(frame)
    assert face is not None, "the creator's face must be visible"
    r = card_rect(STYLES["space"], *ASPECT_SIZES["9_16"])
    cx, cy = face.center
    assert r.x < cx < r.x + r.w and r.y < cy < r.y + r.h, "the face sits inside the card"
    assert face.h > 0.25 * r.h, "head and shoulders are framed, not a distant full body"
    assert _face_similarity(frame, photo) > 0.6, "the face shown is the photo's face"


def test_mouth_opens_on_words_and_closes_in_pauses(
    talking: tuple[Path, list[str]], paced: SpeechResult
) -> None:
    video, _ = talking
    times = [_gap(paced, 4), _mid(paced, 5), _gap(paced, 5), _mid(paced, 6)]
    silent, voiced, silent2, voiced2 = frames_at(video, times)
    for quiet, loud in ((silent, voiced), (silent2, voiced2)):
        closed = _mouth_dark_pixels(quiet, quiet)
        opened = _mouth_dark_pixels(loud, quiet)
        assert opened > closed + 200, f"mouth should open on a word ({closed} -> {opened})"


def test_the_picture_moves_between_words(talking: tuple[Path, list[str]], paced) -> None:
    video, _ = talking
    a, b = frames_at(video, [_gap(paced, 3), _gap(paced, 6)])
    r = card_rect(STYLES["space"], *ASPECT_SIZES["9_16"])
    upper = (slice(r.y + 20, r.y + r.h // 3), slice(r.x + r.w // 4, r.x + 3 * r.w // 4))
    diff = np.abs(a[upper].astype(np.int16) - b[upper].astype(np.int16)).mean()
    assert diff > 2.0, "Ken Burns and head bob must move the photo"


@pytest.mark.parametrize("aspect", ["9_16", "1_1", "4_5"])
@pytest.mark.parametrize("style", list(STYLES))
def test_every_style_and_aspect_shows_the_face(
    request_for: Callable[..., RenderRequest],
    workdir: Path,
    photo: Path,
    style: str,
    aspect: str,
) -> None:
    short = make_speech(workdir / "hi.wav", "hello there my dear friends", word_ms=300)
    res = render_reel(
        request_for(
            f"like_{style}_{aspect}",
            speech=short,
            avatar_dir=None,
            likeness=Likeness(photos=[photo]),
            style_preset=style,
            aspect=aspect,
            quality="draft",
        )
    )
    (frame,) = frames_at(res.video_path, [2.2])  # after the hook title
    assert frame.shape[:2] == ASPECT_SIZES[aspect][::-1]
    face = find_face(frame)
    assert face is not None, f"no face visible in {style} {aspect}"
    r = card_rect(STYLES[style], *ASPECT_SIZES[aspect])
    assert r.x <= face.center[0] <= r.x + r.w and r.y <= face.center[1] <= r.y + r.h


def _landscape(path: Path) -> Path:
    img = Image.new("RGB", (900, 700), (40, 140, 220))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 450, 900, 700), fill=(50, 160, 60))
    d.polygon([(200, 450), (420, 160), (640, 450)], fill=(120, 110, 100))
    d.ellipse((680, 60, 800, 180), fill=(255, 220, 60))
    img.save(path)
    return path


def test_photo_without_a_face_is_framed_with_a_warning(
    request_for: Callable[..., RenderRequest], workdir: Path, paced: SpeechResult
) -> None:
    scenery = _landscape(workdir / "scenery.png")
    res = render_reel(
        request_for("faceless", speech=paced, avatar_dir=None, likeness=Likeness(photos=[scenery]))
    )
    assert any("no face found" in w and "scenery.png" in w for w in res.warnings), res.warnings
    (frame,) = frames_at(res.video_path, [2.5])
    r = card_rect(STYLES["space"], *ASPECT_SIZES["9_16"])
    card = frame[r.y + r.h // 4 : r.y + 3 * r.h // 4, r.x + r.w // 4 : r.x + 3 * r.w // 4]
    grass = np.abs(card.astype(np.int16) - (50, 160, 60)).sum(axis=-1) < 90
    sky = np.abs(card.astype(np.int16) - (40, 140, 220)).sum(axis=-1) < 90
    assert grass.mean() > 0.05 and sky.mean() > 0.05, "the photo itself is shown in the card"


def test_a_later_photo_with_a_face_is_preferred(
    request_for: Callable[..., RenderRequest], workdir: Path, photo: Path
) -> None:
    short = make_speech(workdir / "hi2.wav", "hello there", word_ms=250)
    scenery = _landscape(workdir / "scenery2.png")
    res = render_reel(
        request_for(
            "second_photo",
            title="",
            speech=short,
            avatar_dir=None,
            quality="draft",
            likeness=Likeness(photos=[scenery, photo]),
        )
    )
    assert res.warnings == []
    (frame,) = frames_at(res.video_path, [0.5])
    assert find_face(frame) is not None


def test_corrupt_photo_is_a_clear_error(
    request_for: Callable[..., RenderRequest], workdir: Path
) -> None:
    bad = workdir / "me.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + b"nope" * 20)
    with pytest.raises(RenderError, match=r"me\.jpg.*(corrupt|not an image)"):
        render_reel(request_for("bad_photo", avatar_dir=None, likeness=Likeness(photos=[bad])))


def test_likeness_clip_plays_upright_in_the_card(
    request_for: Callable[..., RenderRequest], workdir: Path
) -> None:
    def paint(i: int, img: np.ndarray) -> None:
        # Stored landscape: red top half, blue bottom half, a white bar moving right.
        img[: img.shape[0] // 2] = (220, 30, 30)
        img[img.shape[0] // 2 :] = (30, 30, 220)
        x = 10 + 6 * i
        img[:, x : x + 20] = (255, 255, 255)

    clip = write_clip(workdir / "me.mp4", (401, 241), 60, rate=25, rotation=90, paint=paint)
    res = render_reel(
        request_for(
            "clip_likeness",
            avatar_dir=None,
            likeness=Likeness(clips=[clip]),
            style_preset="corporate",
        )
    )
    assert res.warnings == []
    a, b = frames_at(res.video_path, [2.2, 2.8])
    r = card_rect(STYLES["corporate"], *ASPECT_SIZES["9_16"])
    mid = a[r.y + r.h // 2 - 40 : r.y + r.h // 2 + 40]
    left = mid[:, r.x + 30 : r.x + r.w // 2 - 30].reshape(-1, 3).mean(axis=0)
    right = mid[:, r.x + r.w // 2 + 30 : r.x + r.w - 30].reshape(-1, 3).mean(axis=0)
    # Turned a quarter counter-clockwise, the stored top (red) ends up on the left.
    assert left[0] > left[2] + 60 and right[2] > right[0] + 60, (left, right)
    region = (slice(r.y, r.y + r.h), slice(r.x, r.x + r.w))
    assert np.abs(a[region].astype(np.int16) - b[region].astype(np.int16)).mean() > 1.0

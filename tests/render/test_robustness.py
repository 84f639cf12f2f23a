"""Bad input gives a clear RenderError or a warning; hard text never crashes; parallel-safe."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bench.render_inputs import decode, make_speech
from tools.render import STYLES, RenderError, RenderRequest, render_reel
from tools.tts.base import SpeechResult

H = 1920


def test_missing_avatar_falls_back_with_warning(request_for, workdir: Path) -> None:
    empty = workdir / "no_assets"
    empty.mkdir()
    (empty / "notes.txt").write_text("no pictures here")
    res = render_reel(request_for("no_avatar", avatar_dir=empty, quality="draft"))
    assert any("no avatar" in w for w in res.warnings)
    assert res.video_path.exists() and res.duration_ms > 0


def test_corrupt_avatar_image_raises(request_for, workdir: Path) -> None:
    bad = workdir / "bad_assets"
    bad.mkdir()
    (bad / "face.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)
    with pytest.raises(RenderError, match=r"face\.png.*(corrupt|not an image)"):
        render_reel(request_for("corrupt", avatar_dir=bad))
    assert not (workdir / "corrupt.mp4").exists()


def test_empty_script_raises(request_for) -> None:
    with pytest.raises(RenderError, match="script is empty"):
        render_reel(request_for("empty_script", script_text="   "))


def test_speech_without_words_raises(request_for, speech: SpeechResult) -> None:
    silent = speech.model_copy(update={"words": []})
    with pytest.raises(RenderError, match="no word timings"):
        render_reel(request_for("no_words", speech=silent))


def test_speech_longer_than_target_asks_to_shorten(request_for, speech: SpeechResult) -> None:
    with pytest.raises(RenderError, match="shorten the script"):
        render_reel(request_for("too_long", target_duration_sec=2))


def test_emoji_long_word_and_rtl_text_render(request_for, workdir: Path) -> None:
    text = "Wow 🚀🔥 café naïve Pneumonoultramicroscopicsilicovolcanoconiosisextraordinaire שלום עולם مرحبا بالعالم 日本"
    sp = make_speech(workdir / "hard.wav", text, word_ms=220, gap_ms=60)
    res = render_reel(
        request_for(
            "hard_text",
            speech=sp,
            script_text=text,
            title="Hard 🚀 text: مرحبا",
            style_preset="hyperreal",
        )
    )
    assert any("🚀" in w for w in res.warnings), res.warnings
    dec = decode(res.video_path)
    inks = [
        np.array(c, np.float32)
        for c in (STYLES["hyperreal"].caption_fill, STYLES["hyperreal"].highlight)
    ]
    for k, word in enumerate(sp.words):
        t = (word.start_ms + word.end_ms) / 2000
        band = dec.at(t)[int(0.55 * H) : int(0.75 * H)]
        f = band.astype(np.float32)
        diff = np.zeros(band.shape[:2], bool)
        for ink in inks:
            diff |= np.sqrt(((f - ink) ** 2).sum(-1)) < 40
        if word.word in ("🚀🔥",):
            continue
        assert diff.sum() > 150, f"caption for {word.word!r} (word {k}) is not visible"
        # The long word is shrunk or split, never clipped at the frame edge.
        assert not diff[:, :4].any() and not diff[:, -4:].any()


def _render_same_target(args: tuple[dict, int]) -> int:
    fields, _ = args
    res = render_reel(RenderRequest.model_validate(fields))
    return res.size_bytes


@pytest.mark.slow
def test_parallel_renders_to_the_same_path(
    request_for: Callable[..., RenderRequest], workdir: Path
) -> None:
    sp = make_speech(workdir / "par.wav", "two processes one file", word_ms=200)
    req = request_for("parallel", speech=sp, quality="draft")
    fields = req.model_dump(mode="json")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        sizes = pool.map(_render_same_target, [(fields, 0), (fields, 1)])
    assert all(s > 0 for s in sizes)
    dec = decode(req.out_path)
    assert dec.video["codec"] == "h264" and len(dec.frames) > 30
    assert [p for p in workdir.iterdir() if ".part" in p.name] == []

"""Repeat frames written as all-skip H.264 pictures: exact copies, valid stream, x264 fallback."""

from __future__ import annotations

from pathlib import Path

import av
import av.logging
import numpy as np
import pytest
from numpy.typing import NDArray

from tools.render import encode, h264
from tools.render.audio import SAMPLE_RATE
from tools.render.encode import FPS, KEYINT, ReelWriter

W, H = 320, 240


def _pictures(n: int) -> list[NDArray[np.uint8]]:
    """Distinct RGB test pictures: a gradient with a moving block and a colour change."""
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:H, 0:W]
    out = []
    for k in range(n):
        base = np.stack([(xx + 9 * k) % 256, (yy * 2) % 256, (xx + yy) // 3], axis=-1)
        img = base.astype(np.uint8)
        x = 20 + 25 * k
        img[60:140, x : x + 60] = rng.integers(0, 255, 3)
        out.append(img)
    return out


def _write(path: Path, plan: list[int | None]) -> list[NDArray[np.uint8]]:
    """Write ``plan`` (a picture number per frame, None = repeat the previous frame)."""
    pictures = _pictures(1 + max(p for p in plan if p is not None))
    t = np.arange(len(plan) * SAMPLE_RATE // FPS) / SAMPLE_RATE
    tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    writer = ReelWriter(path, W, H, np.stack([tone, tone]), quality="full", still=True)
    for i, p in enumerate(plan):
        if p is None:
            writer.repeat(i)
        else:
            frame = av.VideoFrame.from_ndarray(pictures[p], format="rgb24").reformat(
                format="yuv420p"
            )
            writer.write(frame, i)
    writer.close()
    return pictures


def _decode(path: Path) -> tuple[list[NDArray[np.uint8]], list[float], list[bool], list[str]]:
    with av.logging.Capture() as logs, av.open(str(path)) as c:
        frames = list(c.decode(video=0))
    errors = [msg for level, _, msg in logs if level <= av.logging.WARNING]
    return (
        [np.asarray(f.to_ndarray(format="yuv420p"), dtype=np.uint8) for f in frames],
        [float(f.time or 0) for f in frames],
        [f.key_frame for f in frames],
        errors,
    )


def _plan() -> list[int | None]:
    """Runs of repeats, short and long: past frame_num wrap-around and past KEYINT."""
    plan: list[int | None] = []
    for k, run in enumerate([0, 3, 1, 40, KEYINT + 30, 7]):
        plan.append(k)
        plan.extend([None] * run)
    return plan


@pytest.mark.parametrize("entropy", ["cabac", "cavlc"])
def test_repeats_decode_to_exact_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entropy: str
) -> None:
    if entropy == "cavlc":
        original = encode.x264_options

        def cavlc(quality: str, still: bool) -> dict[str, str]:
            opts = original(quality, still)
            return {**opts, "x264-params": opts["x264-params"] + ":cabac=0"}

        monkeypatch.setattr(encode, "x264_options", cavlc)
    plan = _plan()
    out = tmp_path / "reel.mp4"
    pictures = _write(out, plan)
    frames, times, keys, errors = _decode(out)

    assert errors == []
    assert len(frames) == len(plan)
    assert times == pytest.approx([i / FPS for i in range(len(plan))], abs=1e-6)
    shown = None
    for i, (p, frame) in enumerate(zip(plan, frames, strict=True)):
        if p is None and not keys[i]:
            assert np.array_equal(frame, frames[i - 1]), f"frame {i} is not a copy"
        else:  # a new picture, or a repeat x264 encodes again as the periodic IDR
            shown = p if p is not None else shown
            assert shown is not None
            rgb = av.VideoFrame.from_ndarray(frame, format="yuv420p").to_ndarray(format="rgb24")
            assert np.abs(rgb.astype(int) - pictures[shown]).mean() < 6, f"frame {i} is off"
    idr = [i for i, k in enumerate(keys) if k]
    assert idr[0] == 0
    assert max(np.diff([*idr, len(plan)])) <= KEYINT, idr
    assert min(np.diff(idr)) >= KEYINT // 2, idr
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.profile == "High"
        assert c.streams.audio[0].frames > 0


def test_skip_pictures_are_tiny(tmp_path: Path) -> None:
    plan: list[int | None] = [0, *([None] * 100)]
    out = tmp_path / "still.mp4"
    _write(out, plan)
    with av.open(str(out)) as c:
        sizes = [p.size for p in c.demux(video=0) if p.size]
    assert len(sizes) == len(plan)
    assert max(sizes[1:]) < 64 < sizes[0]


def test_unsupported_stream_falls_back_to_x264(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = encode.x264_options

    def with_bframes(quality: str, still: bool) -> dict[str, str]:
        opts = original(quality, still)
        return {**opts, "x264-params": opts["x264-params"].replace("bframes=0", "bframes=2")}

    monkeypatch.setattr(encode, "x264_options", with_bframes)
    plan: list[int | None] = [0, None, None, 1, None, 2, None, None, None]
    out = tmp_path / "fallback.mp4"
    _write(out, plan)
    frames, times, _, errors = _decode(out)
    assert errors == []
    assert len(frames) == len(plan)
    assert times == pytest.approx([i / FPS for i in range(len(plan))], abs=1e-6)


def test_parse_headers_refuses_b_frame_streams() -> None:
    ctx = av.CodecContext.create("libx264", "w")
    ctx.width, ctx.height, ctx.pix_fmt = W, H, "yuv420p"
    ctx.time_base = encode.Fraction(1, FPS)
    ctx.flags |= av.codec.context.Flags.global_header  # type: ignore[attr-defined]
    ctx.options = {"x264-params": "bframes=2"}
    ctx.open()
    with pytest.raises(h264.Unsupported, match="order count"):
        h264.parse_headers(bytes(ctx.extradata or b""))


@pytest.mark.parametrize("value", [0, 1, 2, 7, 254, 255, 65535, 2**20])
def test_exp_golomb_round_trip(value: int) -> None:
    w = h264.BitWriter()
    w.ue(value)
    w.se(value)
    w.se(-value)
    w.u(3, 0b101)
    w.align(0)
    r = h264.BitReader(w.to_bytes())
    assert (r.ue(), r.se(), r.se(), r.u(3)) == (value, value, -value, 0b101)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\x00\x00",
        b"\x00\x00\x01\x00\x00\x02",
        b"\x00\x00\x00\x00\x03\xff",
        b"\x01\x00\x00\x04",
    ],
)
def test_emulation_prevention_round_trip(raw: bytes) -> None:
    escaped = h264.escape(raw)
    assert b"\x00\x00\x00" not in escaped
    assert b"\x00\x00\x01" not in escaped
    assert b"\x00\x00\x02" not in escaped
    assert h264.unescape(escaped) == raw

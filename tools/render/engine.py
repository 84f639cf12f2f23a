"""Render a reel: style background + drifting avatar + hook title + word-timed captions.

Frames are composed in yuv420p with numpy. A frame is rebuilt only when something on it
changes (avatar step, caption word, title fade); otherwise the frame is written as a repeat
of the previous one (an all-skip H.264 picture, see :mod:`tools.render.h264`), which keeps the
per-frame cost near zero.
"""

from __future__ import annotations

import os
from dataclasses import replace

import av

from tools.render.audio import SAMPLE_RATE, build_soundtrack
from tools.render.base import (
    ASPECT_SIZES,
    ProgressCallback,
    RenderError,
    RenderRequest,
    RenderResult,
)
from tools.render.captions import CaptionTrack
from tools.render.encode import FPS, ReelWriter
from tools.render.fonts import GlyphFilter
from tools.render.output import probe, temp_path_for, write_thumbnail
from tools.render.overlays import TextOverlays
from tools.render.scene import RenderOptions, Scene, build_scene, compose_rgb
from tools.render.styles import STYLES
from tools.render.yuv import blend_overlay, planes_of

TAIL_MS = 600


def options_for(request: RenderRequest) -> RenderOptions:
    """Full look, or the cheap draft look used by simulations."""
    if request.quality == "draft":
        return RenderOptions(motion=False, animate_title=False, rich_background=False)
    return RenderOptions()


def reel_frames(request: RenderRequest) -> int:
    """Number of 30 fps frames: speech plus a short tail, capped at the target duration.

    Raises:
        RenderError: for an empty script or speech, or speech longer than the target.
    """
    if not request.script_text.strip():
        raise RenderError("the script is empty: write the script text before rendering")
    words = [w for w in request.speech.words if w.word.strip()]
    if not words:
        raise RenderError("the speech has no word timings: synthesize the speech again")
    speech_ms = max(request.speech.duration_ms, max(w.end_ms for w in words))
    if speech_ms <= 0:
        raise RenderError("the speech is empty: synthesize the speech again")
    target_ms = request.target_duration_sec * 1000
    if speech_ms > target_ms:
        raise RenderError(
            f"the speech lasts {speech_ms / 1000:.1f} s but the reel may last at most "
            f"{request.target_duration_sec} s: shorten the script and synthesize it again"
        )
    return max(1, min(speech_ms + TAIL_MS, target_ms) * FPS // 1000)


def render_reel(request: RenderRequest, progress: ProgressCallback | None = None) -> RenderResult:
    """Render ``request`` into an MP4 reel and a JPEG thumbnail.

    Args:
        request: script, speech, style, aspect, assets and output paths.
        progress: called with 0..100 as frames are written (about every 1%).

    Returns:
        The reel as read back from the written file, with any warnings.

    Raises:
        RenderError: for problems the caller can fix (empty script, speech too long for
            the target, corrupt avatar image, unreadable speech audio).
    """
    return render_with_options(request, options_for(request), progress)


def render_with_options(
    request: RenderRequest, options: RenderOptions, progress: ProgressCallback | None = None
) -> RenderResult:
    """``render_reel`` with explicit drawing options (used by benchmarks)."""
    n_frames = reel_frames(request)
    width, height = ASPECT_SIZES[request.aspect]
    style = STYLES[request.style_preset]
    duration_s = n_frames / FPS
    if request.quality == "draft":
        options = replace(options, motion=False)
    scene = build_scene(
        style, request.avatar_dir, width, height, fps=FPS, duration_s=duration_s, options=options
    )
    warnings = list(scene.warnings)
    glyphs = GlyphFilter(style.font)
    words = [w for w in request.speech.words if w.word.strip()]
    captions = CaptionTrack(
        words,
        glyphs,
        uppercase=style.uppercase,
        max_width=width * 0.84,
        size=int(width * 0.074),
        min_size=int(width * 0.042),
        end_ms=round(duration_s * 1000),
    )
    texts = TextOverlays(
        style,
        width,
        height,
        glyphs,
        captions,
        request.title,
        highlight=options.word_highlight,
        show_title=options.hook_title,
        animate_title=options.animate_title,
    )
    audio = build_soundtrack(
        request.speech.audio_path, request.music_path, n_frames * SAMPLE_RATE // FPS, warnings
    )
    still = scene.avatar is None or not options.motion
    tmp = temp_path_for(request.out_path)
    writer = ReelWriter(tmp, width, height, audio, quality=request.quality, still=still)
    try:
        _write_frames(writer, scene, texts, n_frames, width, height, progress)
        writer.close()
        os.replace(tmp, request.out_path)
    except BaseException:
        writer.abort()
        raise
    finally:
        tmp.unlink(missing_ok=True)
        close = getattr(scene.avatar, "close", None)
        if close is not None:
            close()
    title = None
    if texts.title_rgba is not None:
        title = (texts.title_rgba, *texts.title_position())
    write_thumbnail(compose_rgb(scene), title, request.thumbnail_path)
    warnings.extend(glyphs.warnings())
    return probe(request.out_path, request.thumbnail_path, warnings)


def _write_frames(
    writer: ReelWriter,
    scene: Scene,
    texts: TextOverlays,
    n_frames: int,
    width: int,
    height: int,
    progress: ProgressCallback | None,
) -> None:
    prev_key: object = None
    frame: av.VideoFrame | None = None
    last_pct = -1
    for i in range(n_frames):
        a_state = scene.avatar.state_at(i) if scene.avatar is not None else None
        c_state = texts.captions.state_at(i * 1000 / FPS)
        t_state = texts.title_state(i)
        key = (a_state, c_state, t_state)
        if key != prev_key or frame is None:
            buf = scene.bg.copy()
            planes = planes_of(buf, width, height)
            if scene.avatar is not None and scene.paster is not None:
                scene.paster.paste(planes, scene.avatar.planes(a_state))
            if t_state is not None:
                blend_overlay(planes, texts.title(t_state))
            if c_state is not None:
                blend_overlay(planes, texts.caption(c_state))
            frame = av.VideoFrame.from_numpy_buffer(buf, format="yuv420p")
            prev_key = key
            writer.write(frame, i)
        else:
            writer.repeat(i)
        if progress is not None:
            pct = (i + 1) * 100 // n_frames
            if pct > last_pct:
                last_pct = pct
                progress(float(pct))


__all__ = ["RenderOptions", "render_reel", "render_with_options"]

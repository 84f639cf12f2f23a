"""Render a reel: style background + avatar or likeness + cutaways + hook title + captions + brand.

Frames are composed in yuv420p with numpy. A frame is rebuilt only when something on it
changes (avatar step, caption word, title fade); otherwise the frame is written as a repeat
of the previous one (an all-skip H.264 picture, see :mod:`tools.render.h264`), which keeps the
per-frame cost near zero.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

import av

from tools.render.audio import SAMPLE_RATE, build_soundtrack
from tools.render.avatar import AvatarLayer
from tools.render.background import Rect
from tools.render.base import (
    ASPECT_SIZES,
    ProgressCallback,
    RenderError,
    RenderRequest,
    RenderResult,
)
from tools.render.brand import Sprite, branded_style, disclosure_sprite, logo_sprite
from tools.render.captions import CaptionTrack
from tools.render.cutaways import CutawayTrack
from tools.render.encode import FPS, ReelWriter
from tools.render.fonts import GlyphFilter
from tools.render.likeness import likeness_layer
from tools.render.mouth import mouth_steps
from tools.render.output import probe, temp_path_for, write_thumbnail
from tools.render.overlays import TextOverlays
from tools.render.scene import RenderOptions, Scene, build_scene, compose_rgb
from tools.render.styles import STYLES, StyleSpec
from tools.render.yuv import Overlay, blend_overlay, overlay_from_rgba, planes_of

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
    warnings: list[str] = []
    style = branded_style(STYLES[request.style_preset], request.brand, warnings)
    duration_s = n_frames / FPS
    if request.quality == "draft":
        options = replace(options, motion=False)
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
    beats = [g.start_ms for g in captions.groups]
    scene = build_scene(
        style,
        request.avatar_dir,
        width,
        height,
        fps=FPS,
        duration_s=duration_s,
        options=options,
        likeness=_likeness_builder(request, style, n_frames, beats, options.motion, warnings),
    )
    warnings[:0] = scene.warnings
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
    marks, brand_glyphs = _brand_marks(request, style, width, height, warnings)
    cuts = None
    if request.cutaways:
        cuts = CutawayTrack(
            request.cutaways,
            width=width,
            height=height,
            aspect=request.aspect,
            style=style,
            fps=FPS,
            n_frames=n_frames,
            beats_ms=beats,
            warnings=warnings,
        )
    audio = build_soundtrack(
        request.speech.audio_path, request.music_path, n_frames * SAMPLE_RATE // FPS, warnings
    )
    still = (scene.avatar is None or not options.motion) and cuts is None
    tmp = temp_path_for(request.out_path)
    writer = ReelWriter(tmp, width, height, audio, quality=request.quality, still=still)
    frames = _Frames(scene, texts, cuts, [overlay_from_rgba(*m) for m in marks], width, height)
    try:
        _write_frames(writer, frames, n_frames, progress)
        writer.close()
        os.replace(tmp, request.out_path)
    except BaseException:
        writer.abort()
        raise
    finally:
        tmp.unlink(missing_ok=True)
        for layer in (scene.avatar, cuts):
            close = getattr(layer, "close", None)
            if close is not None:
                close()
    sprites = list(marks)
    if texts.title_rgba is not None:
        sprites.insert(0, (texts.title_rgba, *texts.title_position()))
    write_thumbnail(compose_rgb(scene), sprites, request.thumbnail_path)
    warnings.extend(glyphs.warnings())
    if brand_glyphs is not None:
        warnings.extend(w for w in brand_glyphs.warnings() if w not in warnings)
    return probe(request.out_path, request.thumbnail_path, warnings)


def _likeness_builder(
    request: RenderRequest,
    style: StyleSpec,
    n_frames: int,
    beats: list[int],
    motion: bool,
    warnings: list[str],
) -> Callable[[Rect], AvatarLayer] | None:
    likeness = request.likeness
    if likeness is None:
        return None
    words = [w for w in request.speech.words if w.word.strip()]
    mouth = mouth_steps(request.speech.audio_path, words, n_frames, FPS) if motion else None

    def build(rect: Rect) -> AvatarLayer:
        return likeness_layer(
            likeness,
            rect,
            style,
            fps=FPS,
            n_frames=n_frames,
            mouth=mouth,
            beats_ms=beats,
            motion=motion,
            warnings=warnings,
        )

    return build


def _brand_marks(
    request: RenderRequest, style: StyleSpec, width: int, height: int, warnings: list[str]
) -> tuple[list[Sprite], GlyphFilter | None]:
    """Logo watermark and disclosure line sprites (drawn on every frame, over everything)."""
    brand = request.brand
    if brand is None:
        return [], None
    marks: list[Sprite] = []
    glyphs = None
    above = None
    if brand.disclosure:
        sprite, glyphs = disclosure_sprite(
            brand.disclosure, style.font, width, height, request.aspect
        )
        marks.append(sprite)
        above = sprite[2]
    logo = logo_sprite(brand, width, height, request.aspect, warnings, above=above)
    if logo is not None:
        marks.append(logo)
    return marks, glyphs


@dataclass
class _Frames:
    """Everything drawn on a frame, in order: scene or full cutaway, inset, text, marks."""

    scene: Scene
    texts: TextOverlays
    cuts: CutawayTrack | None
    marks: list[Overlay]
    width: int
    height: int

    def key(self, i: int) -> tuple[Hashable, ...]:
        cut = self.cuts.state_at(i) if self.cuts is not None else None
        full = cut is not None and self.cuts is not None and self.cuts.is_full(cut)
        avatar = self.scene.avatar
        a_state = avatar.state_at(i) if avatar is not None and not full else None
        c_state = self.texts.captions.state_at(i * 1000 / FPS)
        return a_state, c_state, self.texts.title_state(i), cut

    def draw(self, key: tuple[Hashable, ...]) -> av.VideoFrame:
        a_state, c_state, t_state, cut = key
        scene = self.scene
        buf = scene.bg.copy()
        planes = planes_of(buf, self.width, self.height)
        full = cut is not None and self.cuts is not None and self.cuts.is_full(cut)
        if cut is not None and self.cuts is not None and full:
            self.cuts.paste(planes, cut)
        elif scene.avatar is not None and scene.paster is not None:
            scene.paster.paste(planes, scene.avatar.planes(a_state))
        if cut is not None and self.cuts is not None and not full:
            self.cuts.paste(planes, cut)
        if t_state is not None:
            assert isinstance(t_state, int)
            blend_overlay(planes, self.texts.title(t_state))
        if c_state is not None:
            assert isinstance(c_state, tuple)
            blend_overlay(planes, self.texts.caption(c_state))
        for mark in self.marks:
            blend_overlay(planes, mark)
        if self.height % 4 == 0:
            return av.VideoFrame.from_numpy_buffer(buf, format="yuv420p")
        # PyAV reads a buffer as (h * 3/2, w) rows of whole chroma lines, which only exist
        # when the height is a multiple of 4; 1350 (4:5) is not, so copy into a new frame.
        return av.VideoFrame.from_ndarray(buf, format="yuv420p")


def _write_frames(
    writer: ReelWriter, frames: _Frames, n_frames: int, progress: ProgressCallback | None
) -> None:
    prev_key: object = None
    last_pct = -1
    for i in range(n_frames):
        key = frames.key(i)
        if key != prev_key:
            writer.write(frames.draw(key), i)
            prev_key = key
        else:
            writer.repeat(i)
        if progress is not None:
            pct = (i + 1) * 100 // n_frames
            if pct > last_pct:
                last_pct = pct
                progress(float(pct))


__all__ = ["RenderOptions", "render_reel", "render_with_options"]

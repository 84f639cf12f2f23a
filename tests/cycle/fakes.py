"""Honest fakes for cycle tests: a render that writes a small stand-in file instead of a video.

Speech stays real (eSpeak is fast). Tests that check video use the real renderer.
"""

from __future__ import annotations

from tools.render.base import (
    ASPECT_SIZES,
    ProgressCallback,
    RenderError,
    RenderRequest,
    RenderResult,
)


class FakeRender:
    """Records each request and writes a stand-in file; fails on demand for given titles."""

    def __init__(self, fail_titles: set[str] | None = None) -> None:
        self.requests: list[RenderRequest] = []
        self.fail_titles = fail_titles or set()

    def __call__(
        self, request: RenderRequest, progress: ProgressCallback | None = None
    ) -> RenderResult:
        self.requests.append(request)
        if request.title in self.fail_titles:
            raise RenderError(f"corrupt image for '{request.title}'")
        if progress:
            progress(50.0)
            progress(100.0)
        request.out_path.write_bytes(b"stand-in video for " + request.title.encode())
        request.thumbnail_path.write_bytes(b"stand-in thumbnail")
        width, height = ASPECT_SIZES[request.aspect]
        duration = min(request.speech.duration_ms + 600, request.target_duration_sec * 1000)
        return RenderResult(
            video_path=request.out_path,
            thumbnail_path=request.thumbnail_path,
            duration_ms=duration,
            width=width,
            height=height,
            video_codec="h264",
            audio_codec="aac",
            size_bytes=request.out_path.stat().st_size,
        )

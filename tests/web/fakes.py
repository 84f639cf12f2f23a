"""A cheap but real renderer for web tests: a short H.264/AAC mp4 and a JPEG thumbnail."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
from PIL import Image

from tools.render.base import ProgressCallback, RenderRequest, RenderResult

WIDTH, HEIGHT, FPS, SECONDS = 144, 256, 12, 2


def cheap_render(request: RenderRequest, progress: ProgressCallback | None = None) -> RenderResult:
    """Encode a two-second gradient clip with silent audio; the browser can play it."""
    request.out_path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(request.out_path), "w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        audio = container.add_stream("aac", rate=44100)
        audio.layout = "mono"  # type: ignore[union-attr]
        for i in range(FPS * SECONDS):
            shade = np.linspace(40, 200, HEIGHT, dtype=np.uint8)[:, None, None]
            frame = np.broadcast_to(shade, (HEIGHT, WIDTH, 3)).copy()
            frame[:, :, 0] = (i * 9) % 255
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        samples = np.zeros((1, 1024), dtype=np.float32)
        for n in range(int(44100 * SECONDS / 1024)):
            aframe = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            aframe.sample_rate = 44100
            aframe.pts = n * 1024
            aframe.time_base = Fraction(1, 44100)
            for packet in audio.encode(aframe):
                container.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                container.mux(packet)
    Image.new("RGB", (WIDTH, HEIGHT), (90, 70, 200)).save(request.thumbnail_path, "JPEG")
    if progress is not None:
        progress(1.0)
    return RenderResult(
        video_path=request.out_path,
        thumbnail_path=request.thumbnail_path,
        duration_ms=SECONDS * 1000,
        width=WIDTH,
        height=HEIGHT,
        video_codec="h264",
        audio_codec="aac",
        size_bytes=request.out_path.stat().st_size,
    )

"""Low-cost speech and render for simulations: real files, written in milliseconds.

Only rendering is cheapened; everything else in a simulated cycle (database, graph,
checkpoints, sandbox publisher, audience, analysis, adapting) is the real thing.
"""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tools.render.base import ProgressCallback, RenderRequest, RenderResult
from tools.tts.base import SpeechResult, VoiceSpec, WordTiming

WORDS_PER_SEC = 2.6
SAMPLE_RATE = 8000
SIZE = (72, 128)  # 9:16, tiny
FPS = 2


def estimate_speech(*, text: str, language: str, voice: VoiceSpec, out_path: Path) -> SpeechResult:
    """A silent WAV as long as the text would take to say, with evenly spaced word timings.

    Args:
        text: The words to "say".
        language: Language code (recorded only).
        voice: The voice (recorded only).
        out_path: Where the WAV goes.
    """
    words = text.split()
    step_ms = int(1000 / WORDS_PER_SEC)
    duration_ms = max(step_ms, len(words) * step_ms)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out_path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(b"\x00\x00" * (SAMPLE_RATE * duration_ms // 1000))
    timings = [
        WordTiming(word=w, start_ms=i * step_ms, end_ms=(i + 1) * step_ms - 20)
        for i, w in enumerate(words)
    ]
    return SpeechResult(
        audio_path=out_path,
        sample_rate=SAMPLE_RATE,
        duration_ms=duration_ms,
        words=timings,
        engine="estimate",
        voice=voice.voice_id or voice.provider,
    )


def quick_render(request: RenderRequest, progress: ProgressCallback | None = None) -> RenderResult:
    """A tiny H.264 + AAC mp4 (72x128, 2 fps, silent) as long as the speech.

    Args:
        request: The render request; title, captions and styles are not drawn.
        progress: Optional callback, called with 100 at the end.
    """
    seconds = min(request.speech.duration_ms / 1000 + 0.5, float(request.target_duration_sec))
    request.out_path.parent.mkdir(parents=True, exist_ok=True)
    width, height = SIZE
    with av.open(str(request.out_path), "w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        audio = container.add_stream("aac", rate=SAMPLE_RATE)
        audio.layout = "mono"  # type: ignore[union-attr]
        shade = sum(map(ord, request.style_preset)) % 200 + 30
        for i in range(max(1, int(seconds * FPS))):
            frame = av.VideoFrame.from_ndarray(
                np.full((height, width, 3), (shade + i) % 255, np.uint8), format="rgb24"
            )
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            container.mux(video.encode(frame))
        container.mux(video.encode())
        samples = int(seconds * SAMPLE_RATE)
        chunk = 1024
        for start in range(0, samples, chunk):
            n = min(chunk, samples - start)
            frame_a = av.AudioFrame.from_ndarray(
                np.zeros((1, n), np.float32), format="fltp", layout="mono"
            )
            frame_a.sample_rate = SAMPLE_RATE
            frame_a.pts = start
            container.mux(audio.encode(frame_a))
        container.mux(audio.encode())
    with av.open(str(request.out_path)) as check:
        duration_ms = int((check.duration or 0) / 1000)
    thumb = request.thumbnail_path
    from PIL import Image

    Image.new("RGB", SIZE, (shade, shade, shade)).save(thumb, "JPEG")
    if progress is not None:
        progress(100.0)
    return RenderResult(
        video_path=request.out_path,
        thumbnail_path=thumb,
        duration_ms=duration_ms,
        width=width,
        height=height,
        video_codec="h264",
        audio_codec="aac",
        size_bytes=request.out_path.stat().st_size,
    )

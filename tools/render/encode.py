"""H.264 High / AAC 48 kHz MP4 writer with interleaved audio and +faststart."""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

from tools.render.audio import SAMPLE_RATE

FPS = 30
_AAC_FRAME = 1024


def x264_options(quality: str, still: bool) -> dict[str, str]:
    """Encoder settings: fast analysis, constant quality, BT.709 tags, High profile.

    Most frames repeat the previous picture or shift the avatar by whole pixels, so
    full-pel motion search, 16x16 partitions and no B-frames lose almost nothing while
    halving the per-frame cost of x264 (which dominates render time). Deblocking is off:
    the picture is mostly sharp text and stills, where it only blurs edges.
    """
    fast = (
        "ref=1:me=dia:partitions=none:trellis=0:no-deblock=1:rc-lookahead=3:bframes=0:"
        "aq-mode=0:weightp=0:colorprim=bt709:transfer=bt709:colormatrix=bt709"
    )
    if quality == "draft":
        return {
            "preset": "veryfast",
            "crf": "26",
            "profile": "high",
            "x264-params": f"subme=0:{fast}",
        }
    opts = {
        "preset": "veryfast",
        "crf": "21",
        "profile": "high",
        "x264-params": f"subme={0 if still else 1}:{fast}",
    }
    return opts


class ReelWriter:
    """Writes video frames and a pre-mixed soundtrack into one MP4, interleaved."""

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        audio: NDArray[np.float32],
        *,
        quality: str,
        still: bool,
    ) -> None:
        """Open ``path`` for writing.

        Args:
            path: temporary output file (renamed by the caller when done).
            width: frame width.
            height: frame height.
            audio: ``(2, n)`` float32 soundtrack at 48 kHz.
            quality: "full" or "draft".
            still: True when the picture rarely changes (tunes x264 for it).
        """
        self.container = av.open(
            str(path), mode="w", format="mp4", options={"movflags": "+faststart"}
        )
        v = self.container.add_stream("libx264", rate=FPS)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.time_base = Fraction(1, FPS)
        v.options = dict(x264_options(quality, still))  # type: ignore[assignment]
        v.codec_context.thread_count = 0
        a = self.container.add_stream("aac", rate=SAMPLE_RATE)
        a.layout = "stereo"  # type: ignore[union-attr]
        a.time_base = Fraction(1, SAMPLE_RATE)
        a.options = {"b": "160k", "aac_coder": "fast"}
        self.video, self.audio_stream = v, a
        self.audio = np.ascontiguousarray(audio, dtype=np.float32)
        self._audio_pos = 0

    def _write_audio_until(self, sample: int) -> None:
        end = min(sample, self.audio.shape[1])
        while self._audio_pos < end:
            n = min(_AAC_FRAME, self.audio.shape[1] - self._audio_pos)
            chunk = self.audio[:, self._audio_pos : self._audio_pos + n]
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format="fltp", layout="stereo"
            )
            frame.sample_rate = SAMPLE_RATE
            frame.pts = self._audio_pos
            frame.time_base = Fraction(1, SAMPLE_RATE)
            self.container.mux(self.audio_stream.encode(frame))
            self._audio_pos += n

    def write(self, frame: av.VideoFrame, index: int) -> None:
        """Encode ``frame`` as frame number ``index`` (the same frame object may repeat)."""
        frame.pts = index
        frame.time_base = Fraction(1, FPS)
        self.container.mux(self.video.encode(frame))
        self._write_audio_until((index + 1) * SAMPLE_RATE // FPS)

    def close(self) -> None:
        """Flush both encoders and finish the file (moov moved to the front)."""
        self._write_audio_until(self.audio.shape[1])
        self.container.mux(self.video.encode(None))
        self.container.mux(self.audio_stream.encode(None))
        self.container.close()

    def abort(self) -> None:
        """Close without caring about the result (the caller deletes the file)."""
        with contextlib.suppress(av.error.FFmpegError, OSError, ValueError):
            self.container.close()

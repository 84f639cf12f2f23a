"""H.264 High / AAC 48 kHz MP4 writer with interleaved audio and +faststart."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.frame import PictureType
from numpy.typing import NDArray

from tools.render import h264
from tools.render.audio import SAMPLE_RATE

FPS = 30
_AAC_FRAME = 1024
KEYINT = 150
"""At most this many frames (5 s) between IDR pictures, repeats included."""
log = logging.getLogger(__name__)


def x264_options(quality: str, still: bool) -> dict[str, str]:
    """Encoder settings: fast analysis, constant quality, BT.709 tags, High profile.

    The frames x264 sees shift the avatar by whole pixels or change a caption, so full-pel
    motion search and 16x16 partitions lose almost nothing while halving its per-frame cost.
    No B-frames and one reference frame are also what lets repeated frames be written as
    skip pictures (:mod:`tools.render.h264`). Deblocking is off: the picture is mostly sharp
    text and stills, where it only blurs edges.
    """
    fast = (
        "ref=1:me=dia:partitions=none:trellis=0:no-deblock=1:rc-lookahead=3:bframes=0:"
        f"aq-mode=0:weightp=0:keyint={KEYINT}:scenecut=0:"
        "colorprim=bt709:transfer=bt709:colormatrix=bt709"
    )
    draft = quality == "draft"
    return {
        "preset": "veryfast",
        "crf": "26" if draft else "21",
        "profile": "high",
        "forced-idr": "1",  # a frame sent as I becomes an IDR (see ReelWriter.repeat)
        "x264-params": f"subme={0 if draft or still else 1}:{fast}",
    }


def _with_data(packet: av.Packet, data: bytes) -> av.Packet:
    """A copy of ``packet`` (timing, stream, key flag) carrying ``data``."""
    out = av.Packet(data)
    out.pts, out.dts, out.duration = packet.pts, packet.dts, packet.duration
    out.time_base, out.stream = packet.time_base, packet.stream
    out.is_keyframe = packet.is_keyframe
    return out


class ReelWriter:
    """Writes video frames and a pre-mixed soundtrack into one MP4, interleaved.

    Frames that differ from the previous one go through x264; a repeat of the previous
    frame (:meth:`repeat`) is written as an all-skip P picture by :mod:`tools.render.h264`,
    which costs nothing to encode and decodes to an exact copy. The AAC track is encoded in
    a background thread (PyAV releases the GIL while FFmpeg encodes) while frames are drawn.
    """

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
        self._skips: h264.SkipInserter | None = None
        try:
            v.codec_context.open()
            extradata = v.codec_context.extradata or b""
            self._skips = h264.SkipInserter(h264.parse_headers(bytes(extradata)))
        except h264.Unsupported as exc:
            log.info("repeated frames go through x264: %s", exc)
        self._queue: deque[tuple[int, bool]] = deque()
        """Frames not yet muxed, in order: (index, True for a skip picture)."""
        self._encoded: deque[av.Packet] = deque()
        """x264 packets not yet muxed (x264 returns them a few frames late)."""
        self._last_frame: av.VideoFrame | None = None
        self._last_idr = 0
        self._audio_packets: list[av.Packet] = []
        self._audio_muxed = 0
        self._audio_error: BaseException | None = None
        self._stop = threading.Event()
        self._audio_thread = threading.Thread(
            target=self._encode_audio, name="reel-aac", daemon=True
        )
        self._audio_thread.start()

    def _encode_audio(self) -> None:
        try:
            total = self.audio.shape[1]
            for pos in range(0, total, _AAC_FRAME):
                if self._stop.is_set():
                    return
                chunk = self.audio[:, pos : pos + _AAC_FRAME]
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(chunk), format="fltp", layout="stereo"
                )
                frame.sample_rate = SAMPLE_RATE
                frame.pts = pos
                frame.time_base = Fraction(1, SAMPLE_RATE)
                self._audio_packets.extend(self.audio_stream.encode(frame))
            self._audio_packets.extend(self.audio_stream.encode(None))
        except BaseException as exc:  # re-raised in the writing thread by close()
            self._audio_error = exc

    def _mux_audio_until(self, seconds: float | None) -> None:
        packets = self._audio_packets
        while self._audio_muxed < len(packets):
            packet = packets[self._audio_muxed]
            if seconds is not None and (packet.pts or 0) > seconds * SAMPLE_RATE:
                break
            self.container.mux(packet)
            self._audio_muxed += 1

    def _mux_video(self) -> None:
        while self._queue:
            index, skip = self._queue[0]
            if skip:
                assert self._skips is not None
                packet = av.Packet(self._skips.skip_packet())
                packet.pts = packet.dts = index
                packet.duration = 1
                packet.time_base = Fraction(1, FPS)
                packet.stream = self.video
            elif self._encoded:
                packet = self._encoded.popleft()
                if self._skips is not None:
                    raw = bytes(packet)
                    fixed = self._skips.fix_packet(raw)
                    if fixed is not raw:
                        packet = _with_data(packet, fixed)
                if packet.is_keyframe:
                    self._last_idr = index
            else:
                return
            self.container.mux(packet)
            self._queue.popleft()
            self._mux_audio_until((index + 1) / FPS)

    def _encode(self, frame: av.VideoFrame, index: int, *, keyframe: bool = False) -> None:
        frame.pts = index
        frame.time_base = Fraction(1, FPS)
        frame.pict_type = PictureType.I if keyframe else PictureType.NONE
        self._queue.append((index, False))
        self._encoded.extend(self.video.encode(frame))
        frame.pict_type = PictureType.NONE
        self._last_frame = frame
        self._mux_video()

    def write(self, frame: av.VideoFrame, index: int) -> None:
        """Encode ``frame`` as frame number ``index``."""
        self._encode(frame, index)

    def repeat(self, index: int) -> None:
        """Frame number ``index`` shows the same picture as the frame before it."""
        if self._last_frame is None:
            raise ValueError("nothing to repeat: write a frame first")
        if self._skips is None:
            self._encode(self._last_frame, index)
        elif index - self._last_idr >= KEYINT:
            self._last_idr = index  # x264 returns the packet a few frames later
            self._encode(self._last_frame, index, keyframe=True)
        else:
            self._queue.append((index, True))
            self._mux_video()

    def close(self) -> None:
        """Flush both encoders and finish the file (moov moved to the front)."""
        self._encoded.extend(self.video.encode(None))
        self._mux_video()
        if self._queue:
            raise RuntimeError(f"x264 returned {len(self._queue)} frames too few")
        self._audio_thread.join()
        if self._audio_error is not None:
            raise self._audio_error
        self._mux_audio_until(None)
        self.container.close()

    def abort(self) -> None:
        """Close without caring about the result (the caller deletes the file)."""
        self._stop.set()
        self._audio_thread.join()
        with contextlib.suppress(av.error.FFmpegError, OSError, ValueError):
            self.container.close()

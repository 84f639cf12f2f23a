"""Read the creator's clips with PyAV: upright, any size or frame rate, fitted to a box by time."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

from tools.render.yuv import Planes


class ClipError(RuntimeError):
    """A clip that cannot be opened or holds no picture."""


def _even_up(v: float) -> int:
    return max(2, int(np.ceil(v / 2.0)) * 2)


def plane_of(frame: av.VideoFrame, index: int, width: int, height: int) -> NDArray[np.uint8]:
    """One plane of ``frame`` as a ``height`` x ``width`` array (line padding dropped)."""
    plane = frame.planes[index]
    rows = np.frombuffer(memoryview(plane), np.uint8).reshape(-1, plane.line_size)
    return rows[:height, :width]


class ClipReader:
    """Frames of one clip by time, in display orientation, covering a ``width`` x ``height`` box.

    Phone clips carry their rotation as a display matrix; it is applied, so a portrait clip
    stays portrait. Sizes that are odd, tiny or huge are scaled to cover the box and cropped
    around ``focus`` (fractions of the picture, default the upper middle). Frames are picked
    by their own timestamps, so 24, 25, 60 fps or variable-rate clips keep their speed.
    """

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        *,
        start_s: float = 0.0,
        focus: tuple[float, float] = (0.5, 0.35),
    ) -> None:
        """Open ``path`` and decode the frame shown at ``start_s``.

        Raises:
            ClipError: if the file is not a video PyAV can decode.
        """
        self.path, self.width, self.height, self.focus = path, width, height, focus
        self.start_s = start_s
        try:
            self._container = av.open(str(path))
            if not self._container.streams.video:
                raise ClipError(f"{path.name} holds no video stream")
            self._stream = self._container.streams.video[0]
            self._stream.thread_type = "AUTO"
            self.rate = float(self._stream.average_rate or self._stream.guessed_rate or 30)
            self.duration_s = self._probe_duration()
            if start_s > 0:
                tb = self._stream.time_base
                if tb is not None:
                    self._container.seek(int(start_s / tb), stream=self._stream, backward=True)
            self._frames = self._container.decode(self._stream)
            self._current: av.VideoFrame = self._read()
            self._next: av.VideoFrame | None = self._read_or_none()
            while self._next is not None and self._time(self._next) <= start_s + 1e-6:
                self._current, self._next = self._next, self._read_or_none()
        except ClipError:
            self.close()
            raise
        except (av.error.FFmpegError, StopIteration, ValueError, OSError) as exc:
            self.close()
            raise ClipError(f"{path.name} cannot be decoded ({exc.__class__.__name__})") from exc
        self._fitted: tuple[int, Planes] | None = None

    def _probe_duration(self) -> float | None:
        s = self._stream
        if s.duration is not None and s.time_base is not None:
            return float(s.duration * s.time_base)
        if self._container.duration:
            return self._container.duration / 1_000_000
        return None

    def _read(self) -> av.VideoFrame:
        frame = next(self._frames)
        assert isinstance(frame, av.VideoFrame)
        return frame

    def _read_or_none(self) -> av.VideoFrame | None:
        try:
            return self._read()
        except (StopIteration, av.error.EOFError):
            return None
        except av.error.FFmpegError:
            return None  # a damaged tail: hold the last good frame

    @staticmethod
    def _time(frame: av.VideoFrame) -> float:
        return float(frame.time) if frame.time is not None else 0.0

    @property
    def length_s(self) -> float | None:
        """Seconds of clip from ``start_s`` to its end, when the file says."""
        if self.duration_s is None:
            return None
        return max(0.0, self.duration_s - self.start_s)

    def planes_at(self, t: float) -> Planes | None:
        """The picture ``t`` seconds after ``start_s`` (asked in order), or None past the end."""
        target = self.start_s + t
        while self._next is not None and self._time(self._next) <= target + 1e-6:
            self._current, self._next = self._next, self._read_or_none()
        if self._next is None and target > self._time(self._current) + 1.5 / self.rate:
            return None
        key = id(self._current)
        if self._fitted is None or self._fitted[0] != key:
            self._fitted = (key, self.fit(self._current))
        return self._fitted[1]

    def fit(self, frame: av.VideoFrame) -> Planes:
        """``frame`` upright, scaled to cover the box and cropped around the focus."""
        turns = round(frame.rotation / 90.0) % 4
        dw, dh = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
        scale = max(self.width / dw, self.height / dh)
        sw, sh = _even_up(dw * scale), _even_up(dh * scale)
        ew, eh = (sh, sw) if turns % 2 else (sw, sh)
        small = frame.reformat(
            width=ew,
            height=eh,
            format="yuv420p",
            dst_colorspace="ITU709",
            dst_color_range="MPEG",
        )
        y, u, v = (
            plane_of(small, 0, ew, eh),
            plane_of(small, 1, ew // 2, eh // 2),
            plane_of(small, 2, ew // 2, eh // 2),
        )
        if turns:
            y, u, v = (np.rot90(p, turns) for p in (y, u, v))
        fx, fy = self.focus
        x0 = int(np.clip(fx * sw - self.width / 2, 0, sw - self.width)) // 2 * 2
        y0 = int(np.clip(fy * sh - self.height / 2, 0, sh - self.height)) // 2 * 2
        w2, h2 = self.width // 2, self.height // 2
        # Copies: the planes must not point into the decoder's frame buffers.
        return Planes(
            np.array(y[y0 : y0 + self.height, x0 : x0 + self.width]),
            np.array(u[y0 // 2 : y0 // 2 + h2, x0 // 2 : x0 // 2 + w2]),
            np.array(v[y0 // 2 : y0 // 2 + h2, x0 // 2 : x0 // 2 + w2]),
        )

    def first_rgb(self) -> NDArray[np.uint8]:
        """The current frame upright as RGB at its own size (for finding a face)."""
        rgb = np.asarray(self._current.to_ndarray(format="rgb24"), np.uint8)
        turns = round(self._current.rotation / 90.0) % 4
        return np.ascontiguousarray(np.rot90(rgb, turns)) if turns else rgb

    def close(self) -> None:
        """Release the decoder."""
        container = getattr(self, "_container", None)
        if container is not None:
            container.close()
            self._container = None  # type: ignore[assignment]

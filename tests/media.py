"""Real media files for tests: a small H.264 mp4 written with PyAV."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path


def write_mp4(path: Path, *, size: int | None = None, seconds: float = 1.0) -> Path:
    """A real 64x64 H.264 mp4; with ``size``, padded to exactly that many bytes by a ``free`` box.

    A ``free`` box is part of the MP4 format and ignored by readers, so the file stays a valid
    video PyAV (and platforms) can read.
    """
    import av
    import numpy as np

    fps = 10
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"  # type: ignore[attr-defined]
        for index in range(max(1, int(seconds * fps))):
            pixels = np.full((64, 64, 3), (index * 20) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in stream.encode(frame):  # type: ignore[attr-defined]
                container.mux(packet)
        for packet in stream.encode():  # type: ignore[attr-defined]
            container.mux(packet)
    if size is not None:
        missing = size - path.stat().st_size
        if missing < 8:
            raise ValueError(f"{size} bytes is too small for this video")
        with path.open("ab") as handle:
            handle.write(struct.pack(">I", missing) + b"free" + b"\0" * (missing - 8))
    return path

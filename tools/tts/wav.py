"""Write mono 16-bit PCM WAV files."""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path

from tools.tts.base import TTSError

SAMPLE_WIDTH = 2


def pcm_duration_ms(pcm: bytes, sample_rate: int) -> int:
    """Duration in whole milliseconds of mono 16-bit ``pcm`` at ``sample_rate``."""
    return (len(pcm) // SAMPLE_WIDTH) * 1000 // sample_rate


def write_wav(out_path: Path, pcm: bytes, sample_rate: int) -> Path:
    """Write mono 16-bit little-endian ``pcm`` as a WAV file, atomically.

    The file is written next to ``out_path`` and renamed into place, so a
    reader never sees half a file and a rerun simply replaces it.

    Args:
        out_path: Where the WAV goes; parent folders are created.
        pcm: Raw samples, 16-bit signed little-endian, one channel.
        sample_rate: Samples per second.

    Returns:
        ``out_path``.

    Raises:
        TTSError: The folder cannot be written.
    """
    out_path = Path(out_path)
    if len(pcm) % SAMPLE_WIDTH:
        pcm = pcm[: len(pcm) - len(pcm) % SAMPLE_WIDTH]
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".tts-", suffix=".wav", dir=out_path.parent)
    except OSError as exc:
        raise TTSError(
            f"Cannot write speech audio to {out_path}: {exc.strerror}. "
            "Check that the media folder exists and is writable."
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle, wave.open(handle, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(SAMPLE_WIDTH)
            wav.setframerate(sample_rate)
            wav.writeframes(pcm)
        os.replace(tmp_name, out_path)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise TTSError(
            f"Cannot write speech audio to {out_path}: {exc.strerror}. "
            "Check free disk space and permissions."
        ) from exc
    return out_path

"""Synthetic inputs for render tests and benchmarks: voice-like WAV + word timings, music."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from tools.tts.base import SpeechResult, WordTiming

RATE = 22_050


def make_speech(
    path: Path, text: str, *, word_ms: int = 300, gap_ms: int = 90, rate: int = RATE
) -> SpeechResult:
    """Write a mono 16-bit WAV where each word is a vowel-like buzz, and return its timings."""
    words = text.split()
    timings: list[WordTiming] = []
    t = 120
    for w in words:
        dur = word_ms + 25 * min(len(w), 8)
        timings.append(WordTiming(word=w, start_ms=t, end_ms=t + dur))
        t += dur + gap_ms
    total_ms = t + 80
    n = total_ms * rate // 1000
    sig = np.zeros(n, dtype=np.float32)
    for k, wt in enumerate(timings):
        a, b = wt.start_ms * rate // 1000, wt.end_ms * rate // 1000
        tt = np.arange(b - a, dtype=np.float32) / rate
        f0 = 120.0 + 25.0 * np.sin(2 * np.pi * 3.0 * tt + k)
        phase = 2 * np.pi * np.cumsum(f0) / rate
        buzz = sum(np.sin(h * phase) / h for h in range(1, 8))
        env = np.abs(np.sin(np.pi * np.linspace(0, 1, b - a, dtype=np.float32))) ** 0.5
        sig[a:b] = 0.35 * buzz * env
    pcm = (np.clip(sig, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())
    return SpeechResult(
        audio_path=path,
        sample_rate=rate,
        duration_ms=total_ms,
        words=timings,
        engine="synthetic",
        voice="buzz",
    )


def make_music(path: Path, seconds: float = 4.0, rate: int = 44_100) -> Path:
    """Write a stereo WAV with a simple chord loop (stands in for background music)."""
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    pulse = 0.6 + 0.4 * np.sin(2 * np.pi * 2 * t)
    left = 0.5 * chord * pulse
    right = 0.5 * np.roll(chord, 200) * pulse
    pcm = (np.stack([left, right], axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(2)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())
    return path


@dataclass
class Decoded:
    """Frames of a reel (RGB arrays by index) and stream facts."""

    frames: list[np.ndarray]
    pts: list[int]
    video: dict[str, Any]
    audio: dict[str, Any] | None
    samples: np.ndarray

    def at(self, seconds: float) -> np.ndarray:
        """RGB frame shown at ``seconds``."""
        return self.frames[min(len(self.frames) - 1, int(seconds * 30 + 1e-6))]


def decode(path: Path) -> Decoded:
    """Decode every video frame (as RGB) and all audio of ``path`` with PyAV."""
    frames: list[np.ndarray] = []
    pts: list[int] = []
    chunks: list[np.ndarray] = []
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        cc = vs.codec_context
        video: dict[str, Any] = {
            "codec": cc.name,
            "profile": cc.profile,
            "pix_fmt": cc.pix_fmt,
            "width": cc.width,
            "height": cc.height,
            "rate": vs.average_rate,
            "duration": float(vs.duration * vs.time_base) if vs.duration and vs.time_base else None,
        }
        audio: dict[str, Any] | None = None
        if c.streams.audio:
            a = c.streams.audio[0]
            audio = {
                "codec": a.codec_context.name,
                "rate": a.codec_context.sample_rate,
                "duration": float(a.duration * a.time_base) if a.duration and a.time_base else None,
            }
        for frame in c.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            pts.append(int(frame.pts or 0))
    if audio is not None:
        with av.open(str(path)) as c:
            for aframe in c.decode(audio=0):
                chunks.append(aframe.to_ndarray().astype(np.float32))
    samples = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    return Decoded(frames, pts, video, audio, samples)


def frames_at(path: Path, seconds: list[float]) -> list[np.ndarray]:
    """RGB frames shown at each of ``seconds`` (30 fps; past the end: the last frame)."""
    wanted = {int(t * 30 + 1e-6) for t in seconds}
    got: dict[int, np.ndarray] = {}
    last = -1
    with av.open(str(path)) as c:
        for last, frame in enumerate(c.decode(video=0)):
            if last in wanted:
                got[last] = frame.to_ndarray(format="rgb24")
            if last >= max(wanted):
                break
            tail = frame
        else:
            got[last] = tail.to_ndarray(format="rgb24")
    return [got[min(int(t * 30 + 1e-6), last)] for t in seconds]

"""Reel soundtrack: the voice, plus optional music ducked under it, as 48 kHz stereo float."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

from tools.render.base import RenderError

SAMPLE_RATE = 48_000
_MUSIC_GAIN = 0.28
_DUCKED_GAIN = 0.07


def decode_audio(path: Path, channels: int) -> NDArray[np.float32]:
    """Decode any audio PyAV reads into float32 ``(channels, n)`` at 48 kHz."""
    layout = "mono" if channels == 1 else "stereo"
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
    chunks: list[NDArray[np.float32]] = []
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().astype(np.float32))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().astype(np.float32))
    if not chunks:
        return np.zeros((channels, 0), dtype=np.float32)
    return np.concatenate(chunks, axis=1)


def _envelope(voice: NDArray[np.float32], hop: int) -> NDArray[np.float32]:
    n = voice.shape[-1] // hop
    frames = voice[: n * hop].reshape(n, hop)
    return np.sqrt(np.mean(frames * frames, axis=1)).astype(np.float32)


def duck_gain(voice: NDArray[np.float32], n: int) -> NDArray[np.float32]:
    """Per-sample music gain: full between phrases, low under speech, smooth transitions."""
    hop = SAMPLE_RATE // 100  # 10 ms
    env = _envelope(voice, hop)
    active = env > max(0.01, float(np.max(env, initial=0.0)) * 0.08)
    target = np.where(active, _DUCKED_GAIN, _MUSIC_GAIN).astype(np.float32)
    gain = np.empty_like(target)
    g = _MUSIC_GAIN
    attack, release = 1 - np.exp(-1 / 5), 1 - np.exp(-1 / 40)  # 50 ms down, 400 ms up
    for i, tg in enumerate(target):
        g += (tg - g) * (attack if tg < g else release)
        gain[i] = g
    per_sample = np.repeat(gain, hop)
    if per_sample.size < n:
        tail = np.full(n - per_sample.size, _MUSIC_GAIN, dtype=np.float32)
        per_sample = np.concatenate([per_sample, tail])
    return per_sample[:n]


def build_soundtrack(
    speech_path: Path, music_path: Path | None, total_samples: int, warnings: list[str]
) -> NDArray[np.float32]:
    """Mix the voice (centred) and optional music into ``(2, total_samples)`` float32.

    Raises:
        RenderError: if the speech file cannot be decoded.
    """
    try:
        voice = decode_audio(speech_path, 1)[0]
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise RenderError(
            f"speech audio {speech_path.name} cannot be read ({exc.__class__.__name__}); "
            "synthesize the speech again"
        ) from exc
    if voice.size == 0 or float(np.max(np.abs(voice))) == 0.0:
        raise RenderError("the speech audio is empty or silent; synthesize the speech again")
    voice = voice[:total_samples]
    mix = np.zeros((2, total_samples), dtype=np.float32)
    mix[:, : voice.size] = voice
    if music_path is not None:
        try:
            music = decode_audio(music_path, 2)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            warnings.append(
                f"background music {music_path.name} could not be decoded "
                f"({exc.__class__.__name__}); the reel has voice only"
            )
            music = np.zeros((2, 0), dtype=np.float32)
        if music.shape[1] > 0:
            reps = -(-total_samples // music.shape[1])
            music = np.tile(music, (1, reps))[:, :total_samples]
            gain = duck_gain(voice, total_samples)
            fade_in = min(total_samples, SAMPLE_RATE // 2)
            fade_out = min(total_samples, int(SAMPLE_RATE * 0.8))
            gain[:fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)
            gain[total_samples - fade_out :] *= np.linspace(1, 0, fade_out, dtype=np.float32)
            mix += music * gain
    peak = float(np.max(np.abs(mix)))
    if peak > 0.98:
        mix *= 0.98 / peak
    return mix

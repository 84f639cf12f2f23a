"""Offline speech with eSpeak NG, driven through its C library.

Needs nothing but the ``espeakng-loader`` package: no network, no model files.
The voice sounds robotic, but word timings are exact, which is what captions need.
"""

from __future__ import annotations

import array
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from tools.tts.base import SpeechResult, TTSError, VoiceSpec
from tools.tts.espeak_lib import (
    PARAM_PITCH,
    PARAM_RANGE,
    PARAM_RATE,
    PARAM_VOLUME,
    RANGE_NORMAL,
    RATE_MAXIMUM,
    RATE_MINIMUM,
    RATE_NORMAL,
    VOLUME_NORMAL,
    EspeakLibrary,
)
from tools.tts.wav import pcm_duration_ms, write_wav
from tools.tts.words import timings_from_starts, tokenize

# A bare language picks the variety most social-video audiences expect.
_PREFERRED_VOICE = {"en": "en-us"}
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@cache
def _voice_languages(data_path: Path) -> frozenset[str]:
    """Language tags (lowercase) that the voice files under ``lang/`` declare."""
    tags: set[str] = set()
    for voice_file in (data_path / "lang").rglob("*"):
        if not voice_file.is_file():
            continue
        for line in voice_file.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "language":
                tags.add(parts[1].lower())
    return frozenset(tags)


@cache
def _variants(data_path: Path) -> frozenset[str]:
    """Voice variant names (``f3``, ``m1``, ...) available under ``voices/!v``."""
    folder = data_path / "voices" / "!v"
    return (
        frozenset(p.name for p in folder.iterdir() if p.is_file())
        if folder.is_dir()
        else frozenset()
    )


def supported_languages() -> list[str]:
    """Language tags the offline engine can speak, sorted (``af``, ``ar``, ..., ``en-us``, ...)."""
    return sorted(_voice_languages(EspeakLibrary.instance().data_path))


def _number(settings: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = settings.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TTSError(f"Voice setting {key!r} must be a number, got {value!r}.")
    if not low <= value <= high:
        raise TTSError(
            f"Voice setting {key!r} must be between {low:g} and {high:g}, got {value!r}."
        )
    return float(value)


class EspeakEngine:
    """Offline text-to-speech through libespeak-ng (entry-point name ``espeak``).

    Voice settings read from ``VoiceSpec.settings``: ``speed`` (multiplier of
    the normal 175 words per minute, 0.46-2.57), ``pitch`` (0-100, 50 normal).
    ``VoiceSpec.voice_id``, when set, names an eSpeak variant such as ``f3``
    or ``m1``. All calls in the process are serialised: the C library has one
    global voice and one output.
    """

    name = "espeak"

    def __init__(self, **_settings: Any) -> None:
        """Create the engine; the C library loads on first synthesis.

        Args:
            **_settings: Accepted and ignored, so the registry can pass one
                settings mapping to every engine.
        """

    def synthesize(
        self, *, text: str, language: str, voice: VoiceSpec, out_path: Path
    ) -> SpeechResult:
        """Speak ``text`` in ``language`` with ``voice`` into a WAV at ``out_path``.

        Args:
            text: What to say; emoji, accents and right-to-left scripts are fine.
            language: ISO 639 code, optionally with region (``en``, ``pt-BR``).
            voice: Voice variant in ``voice_id``; ``speed`` and ``pitch`` in settings.
            out_path: Where to write the mono 16-bit PCM WAV.

        Returns:
            The WAV's path, sample rate, duration and one timing per spoken word.

        Raises:
            TTSError: Empty text, an unsupported language, bad settings, or a
                library failure; the message says what to change.
        """
        clean = text.replace("\0", " ")
        if not clean.strip():
            raise TTSError("Nothing to speak: the script text is empty.")
        settings = voice.settings or {}
        speed = _number(
            settings, "speed", 1.0, RATE_MINIMUM / RATE_NORMAL, RATE_MAXIMUM / RATE_NORMAL
        )
        pitch = _number(settings, "pitch", 50, 0, 100)
        library = EspeakLibrary.instance()
        with library.lock:
            voice_name = self._select_voice(library, language, voice.voice_id)
            library.set_parameter(PARAM_RATE, round(RATE_NORMAL * speed))
            library.set_parameter(PARAM_PITCH, round(pitch))
            library.set_parameter(PARAM_RANGE, RANGE_NORMAL)
            library.set_parameter(PARAM_VOLUME, VOLUME_NORMAL)
            capture = library.synthesize(clean)
        pcm = capture.pcm
        if sys.byteorder == "big":
            samples = array.array("h", pcm)
            samples.byteswap()
            pcm = samples.tobytes()
        if not pcm:
            raise TTSError(
                "eSpeak NG produced no audio: the text has nothing it can pronounce. "
                "Use words rather than only symbols."
            )
        duration_ms = pcm_duration_ms(pcm, library.sample_rate)
        words = timings_from_starts(
            tokenize(clean), ((w.text_position, w.audio_ms) for w in capture.words), duration_ms
        )
        write_wav(out_path, pcm, library.sample_rate)
        return SpeechResult(
            audio_path=Path(out_path),
            sample_rate=library.sample_rate,
            duration_ms=duration_ms,
            words=words,
            engine=self.name,
            voice=voice_name,
        )

    @staticmethod
    def _select_voice(library: EspeakLibrary, language: str, variant: str) -> str:
        tag = language.strip().replace("_", "-").lower()
        if not _LANGUAGE_TAG.match(tag):
            raise TTSError(
                f"{language!r} is not a language code: use an ISO 639 code such as en, es or pt-BR."
            )
        known = _voice_languages(library.data_path)
        primary = tag.split("-")[0]
        candidates = [_PREFERRED_VOICE.get(tag, tag), tag, primary]
        chosen = next((c for c in candidates if c in known), None)
        if chosen is None:
            raise TTSError(
                f"The offline voice cannot speak language {language!r}. Use one of "
                "en, es, fr, de, it, pt, nl, pl, ru, ar, hi, ja, zh (see "
                "tools.tts.espeak.supported_languages()), or give this twin an "
                "ElevenLabs voice."
            )
        name = chosen
        variant = variant.strip()
        if variant:
            if variant not in _variants(library.data_path):
                raise TTSError(
                    f"Unknown offline voice variant {variant!r}: use one of m1-m7, f1-f5, "
                    "or leave the voice id empty for the default voice."
                )
            name = f"{chosen}+{variant}"
        if not library.set_voice(name):
            raise TTSError(f"eSpeak NG could not load the voice for {language!r}.")
        return name

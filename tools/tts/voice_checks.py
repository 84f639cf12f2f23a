"""Check a voice's id and settings before they are saved, without speaking."""

from __future__ import annotations

from typing import Any

from tools.tts.base import TTSError, VoiceSpec

ESPEAK_SETTINGS = ("speed", "pitch")
ELEVENLABS_SETTINGS = (
    "stability",
    "similarity_boost",
    "similarity",
    "style",
    "speed",
    "use_speaker_boost",
)


def _unknown(settings: dict[str, Any], allowed: tuple[str, ...], engine: str) -> None:
    extra = sorted(set(settings) - set(allowed))
    if extra:
        raise TTSError(
            f"Unknown voice setting {extra[0]!r} for {engine}: use {', '.join(allowed)}."
        )


def check_voice(voice: VoiceSpec) -> None:
    """Raise when ``voice`` would be refused at speaking time.

    Args:
        voice: Provider (``espeak`` or ``elevenlabs``), voice id and settings.

    Raises:
        TTSError: An unknown provider, setting, offline variant, an out-of-range value, or
            an ElevenLabs voice without a voice id. The message says what is allowed.
    """
    settings = dict(voice.settings or {})
    if voice.provider == "espeak":
        from tools.tts.espeak import _number, _variants
        from tools.tts.espeak_lib import RATE_MAXIMUM, RATE_MINIMUM, RATE_NORMAL, EspeakLibrary

        _unknown(settings, ESPEAK_SETTINGS, "the offline voice")
        _number(settings, "speed", 1.0, RATE_MINIMUM / RATE_NORMAL, RATE_MAXIMUM / RATE_NORMAL)
        _number(settings, "pitch", 50, 0, 100)
        variant = voice.voice_id.strip()
        if variant and variant not in _variants(EspeakLibrary.instance().data_path):
            raise TTSError(
                f"Unknown offline voice variant {variant!r}: use one of m1-m7, f1-f5, "
                "or leave the voice id empty for the default voice."
            )
        return
    if voice.provider == "elevenlabs":
        from tools.tts.elevenlabs_engine import _voice_settings

        _unknown(settings, ELEVENLABS_SETTINGS, "ElevenLabs")
        _voice_settings(settings)
        if not voice.voice_id.strip():
            raise TTSError("An ElevenLabs voice needs its voice id (--voice-id).")
        return
    raise TTSError(f"Unknown voice engine {voice.provider!r}: use espeak or elevenlabs.")

"""Text to speech: a WAV plus word timings, offline (eSpeak NG) or through ElevenLabs.

Engines are found by provider name with :func:`get_engine`; plugins register
more under the ``twin_agent.tts`` entry-point group.
"""

from __future__ import annotations

from pathlib import Path

from tools.tts.base import SpeechResult, TTSEngine, TTSError, VoiceSpec, WordTiming
from tools.tts.registry import ENTRY_POINT_GROUP, available_providers, get_engine

__all__ = [
    "ENTRY_POINT_GROUP",
    "SpeechResult",
    "TTSEngine",
    "TTSError",
    "VoiceSpec",
    "WordTiming",
    "available_providers",
    "get_engine",
    "synthesize",
]


def synthesize(
    text: str,
    *,
    language: str,
    voice: VoiceSpec,
    out_path: Path,
    engine: TTSEngine | None = None,
) -> SpeechResult:
    """Speak ``text`` into a mono 16-bit WAV at ``out_path`` and time each word.

    Args:
        text: What to say.
        language: ISO 639 code, optionally with region (``en``, ``pt-BR``).
        voice: Which voice; its ``provider`` picks the engine when ``engine`` is None.
        out_path: Where to write the WAV; parent folders are created.
        engine: A configured engine. Needed for engines with settings, such as
            ElevenLabs with its API key: ``get_engine("elevenlabs", api_key=...)``.

    Returns:
        The WAV's path, sample rate, duration and word timings.

    Raises:
        TTSError: Anything the user can fix; the message says what.
    """
    chosen = engine if engine is not None else get_engine(voice.provider)
    return chosen.synthesize(text=text, language=language, voice=voice, out_path=Path(out_path))

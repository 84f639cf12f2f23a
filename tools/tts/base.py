"""Speech contract: text -> audio file + word timings, whatever the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field


class WordTiming(BaseModel):
    """One spoken word and when it is heard, in milliseconds from the start of the audio."""

    word: str
    start_ms: int = Field(ge=0)
    end_ms: int = Field(ge=0)


class VoiceSpec(BaseModel):
    """Which voice to speak with; built from a VoiceProfile row."""

    provider: str = "espeak"
    voice_id: str = ""
    settings: dict[str, Any] = Field(default_factory=dict)
    cloned: bool = False


class SpeechResult(BaseModel):
    """A synthesized speech track (mono 16-bit PCM WAV) and its word timings."""

    audio_path: Path
    sample_rate: int
    duration_ms: int
    words: list[WordTiming]
    engine: str
    voice: str


class TTSError(RuntimeError):
    """A speech failure a user can act on; the message says what to do."""


@runtime_checkable
class TTSEngine(Protocol):
    """A speech engine. Engines register under the entry-point group ``twin_agent.tts``."""

    name: str

    def synthesize(
        self, *, text: str, language: str, voice: VoiceSpec, out_path: Path
    ) -> SpeechResult:
        """Speak ``text`` in ``language`` with ``voice`` into a WAV at ``out_path``."""
        ...

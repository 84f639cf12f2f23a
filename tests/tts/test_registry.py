"""Engine lookup: built-ins, aliases, and plugins installed as real distributions."""

from __future__ import annotations

import sys
import textwrap
import wave
from pathlib import Path

import pytest

from tools.tts import TTSError, VoiceSpec, available_providers, get_engine, synthesize
from tools.tts.elevenlabs_engine import ElevenLabsEngine
from tools.tts.espeak import EspeakEngine

PLUGIN_SOURCE = '''
"""A third-party engine: speaks each word as a beep of fixed length."""

import math
import struct
import wave
from pathlib import Path

from tools.tts.base import SpeechResult, WordTiming


class BeepEngine:
    name = "beep"

    def __init__(self, *, word_ms: int = 100) -> None:
        self.word_ms = word_ms

    def synthesize(self, *, text, language, voice, out_path):
        rate = 8000
        words = text.split()
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
            for n in range(len(words) * self.word_ms * rate // 1000)
        )
        with wave.open(str(out_path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(frames)
        timings = [
            WordTiming(word=w, start_ms=i * self.word_ms, end_ms=(i + 1) * self.word_ms)
            for i, w in enumerate(words)
        ]
        return SpeechResult(
            audio_path=Path(out_path),
            sample_rate=rate,
            duration_ms=len(words) * self.word_ms,
            words=timings,
            engine=self.name,
            voice=voice.voice_id or "beep",
        )


class NotAnEngine:
    def __init__(self, **settings):
        self.settings = settings
'''


def _install_plugin(site: Path, entry_points: str) -> None:
    """Install a distribution the way pip lays it out: a module plus its dist-info."""
    (site / "beep_tts.py").write_text(PLUGIN_SOURCE)
    info = site / "beep_tts-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: beep-tts\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    _install_plugin(
        site,
        """
        [twin_agent.tts]
        beep = beep_tts:BeepEngine
        espeak = beep_tts:BeepEngine
        broken = beep_tts_missing:Engine
        hollow = beep_tts:NotAnEngine
        """,
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "beep_tts", raising=False)
    return site


def test_builtins_and_data_model_aliases() -> None:
    for provider in ("espeak", "other", "local", "Offline", " ESPEAK "):
        assert isinstance(get_engine(provider), EspeakEngine)
    engine = get_engine("elevenlabs", api_key="sk-x", base_url="http://127.0.0.1:9")
    assert isinstance(engine, ElevenLabsEngine)
    assert engine.name == "elevenlabs"


def test_unknown_provider_lists_what_exists() -> None:
    with pytest.raises(TTSError) as caught:
        get_engine("resemble")
    message = str(caught.value)
    assert "No speech engine named 'resemble'" in message
    assert "elevenlabs" in message and "espeak" in message and "twin_agent.tts" in message


def test_plugin_engine_from_entry_point(plugin_site: Path, tmp_path: Path) -> None:
    assert "beep" in available_providers()
    engine = get_engine("beep", word_ms=50)
    assert type(engine).__module__ == "beep_tts"

    out = tmp_path / "beep.wav"
    result = synthesize(
        "one two three",
        language="en",
        voice=VoiceSpec(provider="beep", voice_id="b1"),
        out_path=out,
        engine=engine,
    )
    assert [(w.word, w.start_ms, w.end_ms) for w in result.words] == [
        ("one", 0, 50),
        ("two", 50, 100),
        ("three", 100, 150),
    ]
    with wave.open(str(out), "rb") as wav:
        assert wav.getnframes() == 150 * 8
    # With no engine given, the voice's provider picks the plugin.
    default = synthesize(
        "hello", language="en", voice=VoiceSpec(provider="beep"), out_path=tmp_path / "d.wav"
    )
    assert default.engine == "beep" and default.duration_ms == 100


def test_plugin_cannot_shadow_a_builtin(plugin_site: Path) -> None:
    assert isinstance(get_engine("espeak"), EspeakEngine)


def test_broken_plugins_fail_clearly(plugin_site: Path) -> None:
    with pytest.raises(TTSError, match=r"plugin 'broken' .*failed to load: ModuleNotFoundError"):
        get_engine("broken")
    with pytest.raises(TTSError, match="does not provide `name` and `synthesize"):
        get_engine("hollow")
    with pytest.raises(TTSError, match="does not accept these settings"):
        get_engine("beep", volume=3)

"""ElevenLabs engine against a local server that speaks the real endpoint."""

from __future__ import annotations

import socket
import time
import wave
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.tts.elevenlabs_fake import API_KEY, MS_PER_CHAR, FakeElevenLabs, tone_pcm
from tools.tts import TTSError, VoiceSpec, get_engine
from tools.tts.elevenlabs_engine import ElevenLabsEngine

TEXT = "Three tips for better sleep — tonight!"


class SleepRecorder:
    """Records the waits the engine asks for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _engine(server: FakeElevenLabs, **overrides: Any) -> tuple[ElevenLabsEngine, SleepRecorder]:
    sleeper = SleepRecorder()
    settings: dict[str, Any] = {
        "api_key": API_KEY,
        "base_url": server.base_url,
        "timeout": 5.0,
        "max_retries": 2,
        "sleep": sleeper,
        **overrides,
    }
    return ElevenLabsEngine(**settings), sleeper


def _voice(voice_id: str = "voice-rachel", **settings: Any) -> VoiceSpec:
    return VoiceSpec(provider="elevenlabs", voice_id=voice_id, settings=settings)


def test_speech_wav_and_word_timings(elevenlabs_server: FakeElevenLabs, tmp_path: Path) -> None:
    engine, sleeper = _engine(elevenlabs_server)
    out = tmp_path / "speech" / "line.wav"
    result = engine.synthesize(
        text=TEXT,
        language="en",
        voice=_voice(stability=0.4, similarity=0.8, style=0.1, speed=1.1, use_speaker_boost=True),
        out_path=out,
    )

    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        frames = wav.readframes(wav.getnframes())
    assert frames == tone_pcm(len(TEXT) * MS_PER_CHAR, 22050)
    assert result.sample_rate == 22050
    assert result.duration_ms == len(TEXT) * MS_PER_CHAR
    assert result.engine == "elevenlabs" and result.voice == "voice-rachel"

    # The dash is not heard; every other word spans exactly its characters.
    expected = []
    position = 0
    for word in TEXT.split(" "):
        if word != "—":
            expected.append((word, position * MS_PER_CHAR, (position + len(word)) * MS_PER_CHAR))
        position += len(word) + 1
    assert [(w.word, w.start_ms, w.end_ms) for w in result.words] == expected
    assert sleeper.waits == []

    (request,) = elevenlabs_server.requests
    assert request.path == "/v1/text-to-speech/voice-rachel/with-timestamps"
    assert request.headers["xi-api-key"] == API_KEY
    assert request.query["output_format"] == ["pcm_22050"]
    assert request.body["text"] == TEXT
    assert request.body["model_id"] == "eleven_multilingual_v2"
    assert "language_code" not in request.body
    assert request.body["voice_settings"] == {
        "stability": 0.4,
        "similarity_boost": 0.8,
        "style": 0.1,
        "speed": 1.1,
        "use_speaker_boost": True,
    }


def test_other_rate_model_language_and_own_http_client(
    elevenlabs_server: FakeElevenLabs, tmp_path: Path
) -> None:
    with httpx.Client() as client:
        engine, _ = _engine(
            elevenlabs_server,
            http_client=client,
            model_id="eleven_flash_v2_5",
            output_format="pcm_24000",
        )
        result = engine.synthesize(
            text="Hola amigos",
            language="es-MX",
            voice=_voice("voice-adam"),
            out_path=tmp_path / "a.wav",
        )
    with wave.open(str(result.audio_path), "rb") as wav:
        assert wav.getframerate() == 24000
        assert wav.getnframes() == len("Hola amigos") * MS_PER_CHAR * 24
    (request,) = elevenlabs_server.requests
    assert request.body["language_code"] == "es"
    assert request.body["model_id"] == "eleven_flash_v2_5"
    assert "voice_settings" not in request.body
    assert [w.word for w in result.words] == ["Hola", "amigos"]


def test_bad_key_is_named_without_leaking(
    elevenlabs_server: FakeElevenLabs, tmp_path: Path
) -> None:
    wrong_key = "sk-wrong-7777-SECRET"
    engine, sleeper = _engine(elevenlabs_server, api_key=wrong_key)
    with pytest.raises(TTSError) as caught:
        engine.synthesize(text="Hi", language="en", voice=_voice(), out_path=tmp_path / "x.wav")
    message = str(caught.value)
    assert message == "ElevenLabs rejected the API key: check TWIN_ELEVENLABS_API_KEY."
    assert wrong_key not in message and API_KEY not in message
    assert caught.value.__cause__ is None
    assert sleeper.waits == [] and len(elevenlabs_server.requests) == 1
    assert not (tmp_path / "x.wav").exists()


def test_unknown_voice(elevenlabs_server: FakeElevenLabs, tmp_path: Path) -> None:
    engine, sleeper = _engine(elevenlabs_server)
    with pytest.raises(TTSError, match=r"no voice with id 'voice-nobody'.*voice profile"):
        engine.synthesize(
            text="Hi", language="en", voice=_voice("voice-nobody"), out_path=tmp_path / "x.wav"
        )
    assert sleeper.waits == [] and len(elevenlabs_server.requests) == 1


def test_quota_exhausted_is_not_retried(elevenlabs_server: FakeElevenLabs, tmp_path: Path) -> None:
    elevenlabs_server.plan = ["quota"]
    engine, sleeper = _engine(elevenlabs_server)
    with pytest.raises(TTSError) as caught:
        engine.synthesize(text="Hi", language="en", voice=_voice(), out_path=tmp_path / "x.wav")
    message = str(caught.value)
    assert message.startswith("ElevenLabs quota is exhausted")
    assert "5 credits remaining" in message
    assert API_KEY not in message
    assert sleeper.waits == [] and len(elevenlabs_server.requests) == 1


def test_429_then_success_honours_retry_after(
    elevenlabs_server: FakeElevenLabs, tmp_path: Path
) -> None:
    elevenlabs_server.plan = ["429:2"]
    engine, sleeper = _engine(elevenlabs_server)
    result = engine.synthesize(
        text="Hi there", language="en", voice=_voice(), out_path=tmp_path / "x.wav"
    )
    assert sleeper.waits == [2.0]
    assert len(elevenlabs_server.requests) == 2
    assert [w.word for w in result.words] == ["Hi", "there"]


def test_retry_really_waits(elevenlabs_server: FakeElevenLabs, tmp_path: Path) -> None:
    elevenlabs_server.plan = ["429:0.3"]
    engine, _ = _engine(elevenlabs_server, sleep=time.sleep)
    began = time.monotonic()
    engine.synthesize(text="Hi", language="en", voice=_voice(), out_path=tmp_path / "x.wav")
    assert time.monotonic() - began >= 0.3


def test_500_then_success_backs_off_with_jitter(
    elevenlabs_server: FakeElevenLabs, tmp_path: Path
) -> None:
    elevenlabs_server.plan = ["500", "503"]
    engine, sleeper = _engine(elevenlabs_server, backoff_base=0.4)
    result = engine.synthesize(
        text="Hi", language="en", voice=_voice(), out_path=tmp_path / "x.wav"
    )
    assert result.words[0].word == "Hi"
    assert len(elevenlabs_server.requests) == 3
    first, second = sleeper.waits
    assert 0.2 <= first <= 0.4
    assert 0.4 <= second <= 0.8


def test_persistent_5xx_gives_up_after_max_retries(
    elevenlabs_server: FakeElevenLabs, tmp_path: Path
) -> None:
    elevenlabs_server.plan = ["500"] * 5
    engine, sleeper = _engine(elevenlabs_server, max_retries=2)
    with pytest.raises(TTSError, match=r"server error \(HTTP 500\).*try again later"):
        engine.synthesize(text="Hi", language="en", voice=_voice(), out_path=tmp_path / "x.wav")
    assert len(elevenlabs_server.requests) == 3 and len(sleeper.waits) == 2


def test_long_retry_after_gives_up_at_once(
    elevenlabs_server: FakeElevenLabs, tmp_path: Path
) -> None:
    elevenlabs_server.plan = ["429:600"]
    engine, sleeper = _engine(elevenlabs_server, max_backoff=30.0)
    with pytest.raises(TTSError, match="asked to wait 600 s"):
        engine.synthesize(text="Hi", language="en", voice=_voice(), out_path=tmp_path / "x.wav")
    assert sleeper.waits == [] and len(elevenlabs_server.requests) == 1


def test_unreachable_server_is_retried_then_explained(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeper = SleepRecorder()
    engine = ElevenLabsEngine(
        api_key=API_KEY, base_url=f"http://127.0.0.1:{port}", max_retries=1, sleep=sleeper
    )
    with pytest.raises(TTSError, match="Cannot reach ElevenLabs") as caught:
        engine.synthesize(text="Hi", language="en", voice=_voice(), out_path=tmp_path / "x.wav")
    assert len(sleeper.waits) == 1
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("settings", "pattern"),
    [
        ({"stability": 1.5}, "'stability' must be between 0 and 1"),
        ({"speed": 2.0}, "'speed' must be between 0.7 and 1.2"),
        ({"similarity": "high"}, "'similarity' must be a number"),
        ({"use_speaker_boost": "yes"}, "must be true or false"),
    ],
)
def test_invalid_settings_fail_before_any_request(
    elevenlabs_server: FakeElevenLabs, tmp_path: Path, settings: dict[str, Any], pattern: str
) -> None:
    engine, _ = _engine(elevenlabs_server)
    with pytest.raises(TTSError, match=pattern):
        engine.synthesize(
            text="Hi", language="en", voice=_voice(**settings), out_path=tmp_path / "x.wav"
        )
    assert elevenlabs_server.requests == []


def test_malformed_alignment_is_reported(elevenlabs_server: FakeElevenLabs, tmp_path: Path) -> None:
    elevenlabs_server.plan = ["misaligned"]
    engine, _ = _engine(elevenlabs_server)
    with pytest.raises(TTSError, match="malformed timing alignment"):
        engine.synthesize(text="Hi", language="en", voice=_voice(), out_path=tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_configuration_errors(elevenlabs_server: FakeElevenLabs, tmp_path: Path) -> None:
    with pytest.raises(TTSError, match="set TWIN_ELEVENLABS_API_KEY"):
        get_engine("elevenlabs", base_url=elevenlabs_server.base_url)
    with pytest.raises(TTSError, match="not raw PCM"):
        ElevenLabsEngine(api_key=API_KEY, output_format="mp3_44100_128")
    engine, _ = _engine(elevenlabs_server)
    with pytest.raises(TTSError, match="no voice id"):
        engine.synthesize(text="Hi", language="en", voice=_voice(""), out_path=tmp_path / "x.wav")
    with pytest.raises(TTSError, match="empty"):
        engine.synthesize(text="  \n", language="en", voice=_voice(), out_path=tmp_path / "x.wav")
    assert elevenlabs_server.requests == []

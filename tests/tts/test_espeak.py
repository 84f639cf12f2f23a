"""Offline eSpeak NG engine: real audio decoded back from the WAV it writes."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from tools.tts import SpeechResult, TTSError, VoiceSpec, synthesize
from tools.tts.espeak import EspeakEngine, supported_languages


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return samples, wav.getframerate()


def _check_timings(result: SpeechResult) -> None:
    previous_start = 0
    for word in result.words:
        assert previous_start <= word.start_ms <= word.end_ms <= result.duration_ms
        previous_start = word.start_ms
    if result.words:
        assert result.words[-1].end_ms == result.duration_ms


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


@pytest.mark.parametrize(
    ("language", "text", "voice_name"),
    [
        ("en", "Five habits that changed my mornings, and why they stick.", "en-us"),
        ("es", "Cinco hábitos que cambiaron mis mañanas, y por qué funcionan.", "es"),
    ],
)
def test_speech_is_audible_and_words_are_timed(
    tmp_path: Path, language: str, text: str, voice_name: str
) -> None:
    out = tmp_path / "nested" / "speech.wav"
    result = EspeakEngine().synthesize(
        text=text, language=language, voice=VoiceSpec(), out_path=out
    )

    samples, rate = _read(out)
    assert rate == result.sample_rate == 22050
    assert abs(len(samples) * 1000 / rate - result.duration_ms) < 1
    assert 1500 < result.duration_ms < 8000
    assert _rms(samples) > 500
    assert result.engine == "espeak" and result.voice == voice_name

    assert [w.word for w in result.words] == text.split()
    _check_timings(result)
    # Each word is actually voiced: its own span is not silence.
    for word in result.words:
        span = samples[word.start_ms * rate // 1000 : word.end_ms * rate // 1000]
        assert _rms(span) > 200, word


def test_speed_and_pitch_settings_change_the_audio(tmp_path: Path) -> None:
    engine = EspeakEngine()
    text = "We tested twelve cameras so you do not have to."

    def speak(name: str, **settings: float) -> SpeechResult:
        return engine.synthesize(
            text=text, language="en", voice=VoiceSpec(settings=settings), out_path=tmp_path / name
        )

    normal, fast, slow = speak("n.wav"), speak("f.wav", speed=1.8), speak("s.wav", speed=0.7)
    assert fast.duration_ms < normal.duration_ms * 0.75
    assert slow.duration_ms > normal.duration_ms * 1.25
    high = speak("h.wav", pitch=95)
    assert abs(high.duration_ms - normal.duration_ms) < normal.duration_ms * 0.1
    assert _read(tmp_path / "h.wav")[0].tobytes() != _read(tmp_path / "n.wav")[0].tobytes()


def test_variant_voice(tmp_path: Path) -> None:
    result = EspeakEngine().synthesize(
        text="Hello there",
        language="en",
        voice=VoiceSpec(voice_id="f3"),
        out_path=tmp_path / "v.wav",
    )
    assert result.voice == "en-us+f3"
    assert [w.word for w in result.words] == ["Hello", "there"]


def test_emoji_rtl_and_symbols_do_not_crash(tmp_path: Path) -> None:
    engine = EspeakEngine()
    mixed = "Launch day 🚀🔥 — שלום עולם مرحبا بالعالم… done!"
    result = engine.synthesize(
        text=mixed, language="en", voice=VoiceSpec(), out_path=tmp_path / "m.wav"
    )
    _check_timings(result)
    assert result.duration_ms > 1000
    words = [w.word for w in result.words]
    assert words[:2] == ["Launch", "day"] and words[-1] == "done!"
    assert "—" not in words  # a lone dash is not spoken
    assert set(words) <= set(mixed.split())

    arabic = engine.synthesize(
        text="مرحبا بالعالم", language="ar", voice=VoiceSpec(), out_path=tmp_path / "ar.wav"
    )
    assert [w.word for w in arabic.words] == ["مرحبا", "بالعالم"]
    _check_timings(arabic)


def test_numbers_and_hyphens_stay_one_caption_word(tmp_path: Path) -> None:
    result = EspeakEngine().synthesize(
        text="Only 1234 well-known tricks",
        language="en",
        voice=VoiceSpec(),
        out_path=tmp_path / "n.wav",
    )
    assert [w.word for w in result.words] == ["Only", "1234", "well-known", "tricks"]
    _check_timings(result)


def test_concurrent_calls_are_serialised(tmp_path: Path) -> None:
    texts = [
        "Morning routines that actually stick.",
        "Three cheap upgrades for a tiny kitchen, explained slowly and carefully.",
        "Stop scrolling.",
        "Why your sourdough is flat and how to fix it this weekend.",
    ]
    serial = [
        EspeakEngine().synthesize(
            text=t, language="en", voice=VoiceSpec(), out_path=tmp_path / f"serial{n}.wav"
        )
        for n, t in enumerate(texts)
    ]
    results: dict[int, SpeechResult] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(texts))

    def work(n: int) -> None:
        try:
            barrier.wait()
            results[n] = EspeakEngine().synthesize(
                text=texts[n], language="en", voice=VoiceSpec(), out_path=tmp_path / f"par{n}.wav"
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # eSpeak adds slight random jitter, so compare shape rather than bytes: a call
    # that heard another call's audio or events would have the wrong words or length.
    for n, expected in enumerate(serial):
        got = results[n]
        assert [w.word for w in got.words] == texts[n].split()
        _check_timings(got)
        assert abs(got.duration_ms - expected.duration_ms) < expected.duration_ms * 0.05
        samples, rate = _read(tmp_path / f"par{n}.wav")
        assert len(samples) * 1000 // rate == got.duration_ms
        assert _rms(samples) > 500


@pytest.mark.parametrize(
    ("text", "language", "voice", "pattern"),
    [
        ("   \n\t", "en", VoiceSpec(), "empty"),
        ("Hello", "xx-nope", VoiceSpec(), "cannot speak language 'xx-nope'"),
        ("Hello", "english!", VoiceSpec(), "not a language code"),
        ("Hello", "en", VoiceSpec(voice_id="robot9000"), "Unknown offline voice variant"),
        ("Hello", "en", VoiceSpec(settings={"speed": 5}), "'speed' must be between"),
        ("Hello", "en", VoiceSpec(settings={"pitch": "high"}), "'pitch' must be a number"),
    ],
)
def test_user_errors_are_clear(
    tmp_path: Path, text: str, language: str, voice: VoiceSpec, pattern: str
) -> None:
    with pytest.raises(TTSError, match=pattern):
        EspeakEngine().synthesize(
            text=text, language=language, voice=voice, out_path=tmp_path / "e.wav"
        )
    assert not (tmp_path / "e.wav").exists()


def test_region_fallback_and_language_list(tmp_path: Path) -> None:
    languages = supported_languages()
    assert {"en", "es", "fr", "de", "it", "pt", "pt-br", "en-us"} <= set(languages)
    result = EspeakEngine().synthesize(
        text="Bonjour à tous", language="fr-CA", voice=VoiceSpec(), out_path=tmp_path / "fr.wav"
    )
    assert result.voice == "fr"
    brazil = EspeakEngine().synthesize(
        text="Olá pessoal", language="pt_BR", voice=VoiceSpec(), out_path=tmp_path / "br.wav"
    )
    assert brazil.voice == "pt-br"


def test_synthesize_helper_picks_offline_engine_for_other_provider(tmp_path: Path) -> None:
    result = synthesize(
        "Guten Morgen zusammen",
        language="de",
        voice=VoiceSpec(provider="other"),
        out_path=tmp_path / "de.wav",
    )
    assert result.engine == "espeak"
    assert [w.word for w in result.words] == ["Guten", "Morgen", "zusammen"]
    assert _rms(_read(tmp_path / "de.wav")[0]) > 500

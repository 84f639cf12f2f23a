"""Speech through ElevenLabs' "convert with timestamps" endpoint, via the official SDK.

One request returns raw PCM audio (base64) and a per-character alignment; the
alignment gives word timings for captions.
"""

from __future__ import annotations

import base64
import binascii
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from elevenlabs import ElevenLabs, VoiceSettings
from elevenlabs.core.api_error import ApiError
from pydantic import SecretStr

from tools.retry import Retry, RetryPolicy, call_with_retries
from tools.tts.base import SpeechResult, TTSError, VoiceSpec
from tools.tts.elevenlabs_errors import KEY_ENV, Failure, classify, scrub
from tools.tts.wav import pcm_duration_ms, write_wav
from tools.tts.words import timings_from_spans, tokenize

DEFAULT_BASE_URL = "https://api.elevenlabs.io"
DEFAULT_MODEL = "eleven_multilingual_v2"
DEFAULT_OUTPUT_FORMAT = "pcm_22050"
# Models that reject or ignore an explicit language code.
_NO_LANGUAGE_CODE = ("eleven_multilingual", "eleven_monolingual", "eleven_english")
# (setting names accepted, API field, low, high)
_NUMERIC_SETTINGS = (
    (("stability",), "stability", 0.0, 1.0),
    (("similarity_boost", "similarity"), "similarity_boost", 0.0, 1.0),
    (("style",), "style", 0.0, 1.0),
    (("speed",), "speed", 0.7, 1.2),
)


def _voice_settings(settings: dict[str, Any]) -> VoiceSettings | None:
    """ElevenLabs voice settings from a VoiceSpec's settings; only those given are sent."""
    chosen: dict[str, Any] = {}
    for names, field, low, high in _NUMERIC_SETTINGS:
        key = next((n for n in names if settings.get(n) is not None), None)
        if key is None:
            continue
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TTSError(f"Voice setting {key!r} must be a number, got {value!r}.")
        if not low <= value <= high:
            raise TTSError(
                f"Voice setting {key!r} must be between {low:g} and {high:g} for ElevenLabs, "
                f"got {value!r}."
            )
        chosen[field] = float(value)
    boost = settings.get("use_speaker_boost")
    if boost is not None:
        if not isinstance(boost, bool):
            raise TTSError(
                f"Voice setting 'use_speaker_boost' must be true or false, got {boost!r}."
            )
        chosen["use_speaker_boost"] = boost
    return VoiceSettings(**chosen) if chosen else None


def _sample_rate(output_format: str) -> int:
    codec, _, rate = output_format.partition("_")
    if codec != "pcm" or not rate.isdigit():
        raise TTSError(
            f"ElevenLabs output format {output_format!r} is not raw PCM: use pcm_22050, "
            "pcm_24000 or pcm_44100."
        )
    return int(rate)


def _character_spans(
    characters: list[str], starts: list[float], ends: list[float]
) -> Iterator[tuple[int, float, float]]:
    position = 0
    for chars, start, end in zip(characters, starts, ends, strict=True):
        for offset in range(len(chars)):
            yield position + offset, start, end
        position += len(chars)


class ElevenLabsEngine:
    """ElevenLabs text-to-speech (entry-point name ``elevenlabs``).

    Voice settings read from ``VoiceSpec.settings``: ``stability``,
    ``similarity_boost`` (or ``similarity``), ``style`` (each 0-1), ``speed``
    (0.7-1.2), ``use_speaker_boost`` (bool). ``VoiceSpec.voice_id`` is the
    ElevenLabs voice id.
    """

    name = "elevenlabs"

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 60.0,
        max_retries: int = 3,
        http_client: httpx.Client | None = None,
        model_id: str = DEFAULT_MODEL,
        output_format: str = DEFAULT_OUTPUT_FORMAT,
        backoff_base: float = 0.5,
        max_backoff: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """Configure the engine; nothing is sent until :meth:`synthesize`.

        Args:
            api_key: ElevenLabs API key (from ``TWIN_ELEVENLABS_API_KEY``).
            base_url: API root, e.g. ``https://api.elevenlabs.io``.
            timeout: Seconds to wait for one response.
            max_retries: Further attempts after a 429 (not quota), 5xx or network error.
            http_client: Client to send requests with (proxies, test transports).
            model_id: ElevenLabs model, ``eleven_multilingual_v2`` by default.
            output_format: A ``pcm_<rate>`` format; the WAV uses that rate.
            backoff_base: First retry delay in seconds; doubles per attempt, with jitter.
            max_backoff: Longest wait between attempts; a longer Retry-After gives up.
            sleep: Waits between attempts (tests pass a recorder).
            rng: Source of jitter.

        Raises:
            TTSError: No API key, or an output format that is not raw PCM.
        """
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        if not key:
            raise TTSError(f"ElevenLabs needs an API key: set {KEY_ENV}.")
        if max_retries < 0:
            raise TTSError("max_retries must be 0 or more.")
        self._key = key
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._max_retries = max_retries
        self._model_id = model_id
        self._output_format = output_format
        self._sample_rate = _sample_rate(output_format)
        self._backoff_base = backoff_base
        self._max_backoff = max_backoff
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = ElevenLabs(
            api_key=key, base_url=self._base_url, timeout=timeout, httpx_client=http_client
        )

    def synthesize(
        self, *, text: str, language: str, voice: VoiceSpec, out_path: Path
    ) -> SpeechResult:
        """Speak ``text`` with ElevenLabs voice ``voice.voice_id`` into a WAV at ``out_path``.

        Args:
            text: What to say.
            language: ISO 639 code; sent to models that accept one.
            voice: ElevenLabs voice id and voice settings.
            out_path: Where to write the mono 16-bit PCM WAV.

        Returns:
            The WAV's path, sample rate, duration and one timing per spoken word.

        Raises:
            TTSError: Empty text, bad settings, a rejected key, unknown voice,
                exhausted quota, or a service that stayed unavailable.
        """
        if not text.strip():
            raise TTSError("Nothing to speak: the script text is empty.")
        voice_id = voice.voice_id.strip()
        if not voice_id:
            raise TTSError(
                "This twin's ElevenLabs voice has no voice id: set the voice id of its voice profile."
            )
        settings = _voice_settings(voice.settings or {})
        try:
            response = self._with_retries(
                lambda: self._request(text, language, voice_id, settings), voice_id
            )
        except TTSError as exc:
            raise TTSError(scrub(str(exc), self._key)) from None
        encoded = getattr(response, "audio_base_64", None)
        if not isinstance(encoded, str):
            raise TTSError("ElevenLabs returned a response without audio; try again.")
        try:
            pcm = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise TTSError("ElevenLabs returned audio that is not valid base64.") from exc
        if len(pcm) < 2:
            raise TTSError("ElevenLabs returned no audio for this text.")
        duration_ms = pcm_duration_ms(pcm, self._sample_rate)
        alignment = response.alignment or response.normalized_alignment
        if alignment is None:
            raise TTSError("ElevenLabs returned audio without timing alignment; try again.")
        characters = list(alignment.characters)
        try:
            spans = list(
                _character_spans(
                    characters,
                    list(alignment.character_start_times_seconds),
                    list(alignment.character_end_times_seconds),
                )
            )
        except ValueError as exc:
            raise TTSError("ElevenLabs returned a malformed timing alignment; try again.") from exc
        words = timings_from_spans(tokenize("".join(characters)), spans, duration_ms)
        write_wav(out_path, pcm, self._sample_rate)
        return SpeechResult(
            audio_path=Path(out_path),
            sample_rate=self._sample_rate,
            duration_ms=duration_ms,
            words=words,
            engine=self.name,
            voice=voice_id,
        )

    def _request(
        self, text: str, language: str, voice_id: str, settings: VoiceSettings | None
    ) -> Any:
        extra: dict[str, Any] = {}
        if settings is not None:
            extra["voice_settings"] = settings
        if language and not self._model_id.startswith(_NO_LANGUAGE_CODE):
            extra["language_code"] = language.replace("_", "-").split("-")[0].lower()
        return self._client.text_to_speech.convert_with_timestamps(
            voice_id,
            text=text,
            model_id=self._model_id,
            output_format=self._output_format,
            request_options={"max_retries": 0},
            **extra,
        )

    def _with_retries(self, call: Callable[[], Any], voice_id: str) -> Any:
        def attempt() -> Any:
            try:
                return call()
            except ApiError as exc:
                if exc.status_code is not None and 200 <= exc.status_code < 300:
                    raise TTSError(
                        "ElevenLabs returned a response that could not be read."
                    ) from None
                failure = classify(exc.status_code, exc.body, exc.headers, voice_id=voice_id)
            except httpx.TimeoutException:
                failure = Failure(
                    TTSError(
                        f"ElevenLabs did not answer within {self._timeout:g} s; try again later."
                    ),
                    retryable=True,
                )
            except httpx.TransportError as exc:
                failure = Failure(
                    TTSError(
                        f"Cannot reach ElevenLabs at {self._base_url} ({type(exc).__name__}): "
                        "check the network and the ElevenLabs base URL setting."
                    ),
                    retryable=True,
                )
            if not failure.retryable:
                raise failure.error
            raise Retry(failure.error, failure.retry_after)

        return call_with_retries(
            attempt,
            policy=RetryPolicy(
                max_attempts=self._max_retries + 1,
                base_delay=self._backoff_base,
                max_delay=self._max_backoff,
                max_retry_after=self._max_backoff,
            ),
            sleep=self._sleep,
            rng=self._rng,
            too_long=lambda _error, wait: TTSError(
                f"ElevenLabs asked to wait {wait:.0f} s before retrying; try again later."
            ),
        )

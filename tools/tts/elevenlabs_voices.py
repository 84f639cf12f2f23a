"""ElevenLabs voice management: create an instant voice clone, delete a voice.

``POST /v1/voices/add`` (multipart: ``name``, ``description``, ``remove_background_noise``,
``labels`` and one ``files`` part per sample) answers ``{"voice_id", "requires_verification"}``;
``DELETE /v1/voices/{voice_id}`` answers ``{"status": "ok"}``. Both go through the official SDK.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

import httpx
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError
from pydantic import BaseModel, SecretStr

from tools.tts.base import TTSError
from tools.tts.elevenlabs_errors import KEY_ENV, _detail, scrub

DEFAULT_BASE_URL = "https://api.elevenlabs.io"
MAX_SAMPLES = 25
MAX_SAMPLE_BYTES = 10 * 1024 * 1024


class ClonedVoice(BaseModel):
    """A voice ElevenLabs made from the creator's samples."""

    voice_id: str
    requires_verification: bool = False


class ElevenLabsVoices:
    """Creates and deletes voices in the creator's ElevenLabs account."""

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 120.0,
        http_client: httpx.Client | None = None,
    ) -> None:
        """Configure the client; nothing is sent until a call.

        Args:
            api_key: ElevenLabs API key.
            base_url: API root, e.g. ``https://api.elevenlabs.io``.
            timeout: Seconds to wait for one response (uploads can be slow).
            http_client: Client to send requests with (proxies, test transports).

        Raises:
            TTSError: No API key.
        """
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        if not key:
            raise TTSError(f"ElevenLabs needs an API key: set {KEY_ENV}.")
        self._key = key
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._client = ElevenLabs(
            api_key=key, base_url=self._base_url, timeout=timeout, httpx_client=http_client
        )

    def add_voice(
        self,
        *,
        name: str,
        samples: list[Path],
        description: str = "",
        remove_background_noise: bool = False,
    ) -> ClonedVoice:
        """Create an instant voice clone from audio samples of the creator.

        Args:
            name: The voice's name in the ElevenLabs account.
            samples: Audio files (mp3, wav, m4a ...) of the creator speaking.
            description: Shown beside the voice in ElevenLabs.
            remove_background_noise: Let ElevenLabs clean noisy samples first.

        Returns:
            The new voice's id.

        Raises:
            TTSError: Too many or too large samples, a rejected key, an exhausted quota,
                a plan without cloning, samples ElevenLabs refused, or no answer.
        """
        if not samples:
            raise TTSError("Voice cloning needs at least one audio sample.")
        if len(samples) > MAX_SAMPLES:
            raise TTSError(f"ElevenLabs takes at most {MAX_SAMPLES} samples per voice.")
        files: list[Any] = []
        for path in samples:
            data = Path(path).read_bytes()
            if len(data) > MAX_SAMPLE_BYTES:
                raise TTSError(
                    f"Sample {Path(path).name} is over {MAX_SAMPLE_BYTES // 2**20} MB: "
                    "cut it shorter."
                )
            mime = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
            files.append((Path(path).name, data, mime))
        extra: dict[str, Any] = {"remove_background_noise": remove_background_noise}
        if description:
            extra["description"] = description
        try:
            response = self._call(
                lambda: self._client.voices.ivc.create(
                    name=name, files=files, request_options={"max_retries": 0}, **extra
                ),
                action="create the voice",
            )
        except _Gone:
            raise TTSError(
                f"ElevenLabs at {self._base_url} has no voice-add endpoint: check the "
                "ElevenLabs base URL setting."
            ) from None
        voice_id = getattr(response, "voice_id", None)
        if not isinstance(voice_id, str) or not voice_id:
            raise TTSError("ElevenLabs answered without a voice id; try again.")
        return ClonedVoice(
            voice_id=voice_id,
            requires_verification=bool(getattr(response, "requires_verification", False)),
        )

    def delete_voice(self, voice_id: str) -> bool:
        """Delete a voice from the account.

        Returns:
            True when it was deleted, False when ElevenLabs no longer had it.

        Raises:
            TTSError: A rejected key, a refusal, or no answer.
        """
        try:
            self._call(
                lambda: self._client.voices.delete(voice_id, request_options={"max_retries": 0}),
                action=f"delete voice {voice_id!r}",
            )
        except _Gone:
            return False
        return True

    def _call(self, call: Any, *, action: str) -> Any:
        try:
            return call()
        except ApiError as exc:
            raise self._error(exc.status_code or 0, exc.body, action) from None
        except httpx.TimeoutException:
            raise TTSError(
                f"ElevenLabs did not answer within {self._timeout:g} s to {action}; try again."
            ) from None
        except httpx.TransportError as exc:
            raise TTSError(
                f"Cannot reach ElevenLabs at {self._base_url} ({type(exc).__name__}) to "
                f"{action}: check the network and the ElevenLabs base URL setting."
            ) from None

    def _error(self, code: int, body: Any, action: str) -> TTSError:
        status, message = _detail(body)
        said = f" ElevenLabs said: {scrub(message, self._key)}" if message else ""
        if status == "quota_exceeded":
            return TTSError(f"ElevenLabs quota is exhausted, so it cannot {action}.{said}")
        if status == "invalid_api_key" or code == 401:
            return TTSError(f"ElevenLabs rejected the API key: check {KEY_ENV}.")
        if code == 404 or status == "voice_not_found":
            return _Gone(f"ElevenLabs has no such voice ({action}).")
        if code == 403:
            return TTSError(
                f"ElevenLabs refused to {action}: the plan or the key does not allow "
                f"voice cloning.{said}"
            )
        if code in (400, 422):
            return TTSError(f"ElevenLabs refused to {action} (HTTP {code}).{said}")
        return TTSError(f"ElevenLabs could not {action} (HTTP {code}); try again later.{said}")


class _Gone(TTSError):
    """The voice does not exist (any more)."""

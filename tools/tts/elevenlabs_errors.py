"""Turn ElevenLabs API failures into clear TTSErrors and retry decisions.

ElevenLabs answers errors as ``{"detail": {"status": "<code>", "message": "..."}}``
(newer responses may say ``code`` instead of ``status``). Quota exhaustion comes
as 401 or 429 with status ``quota_exceeded`` and must not be retried; other 429s
and 5xx are transient.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tools.tts.base import TTSError

KEY_ENV = "TWIN_ELEVENLABS_API_KEY"


@dataclass(frozen=True)
class Failure:
    """What went wrong with one request: the error to raise, and whether to retry."""

    error: TTSError
    retryable: bool = False
    retry_after: float | None = None


def _detail(body: Any) -> tuple[str, str]:
    """(status code word, message) from an ElevenLabs error body of any shape."""
    detail = body.get("detail", body) if isinstance(body, Mapping) else body
    if isinstance(detail, Mapping):
        status = detail.get("status") or detail.get("code") or ""
        message = detail.get("message") or ""
        return str(status), str(message)
    if isinstance(detail, list) and detail and isinstance(detail[0], Mapping):
        return "", str(detail[0].get("msg", ""))
    return "", str(detail or "")[:300]


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or ``retry-after-ms``.

    Args:
        headers: Response headers (any key case).
        now: Current epoch time, for HTTP-date values.

    Returns:
        Seconds (>= 0), or ``None`` when the response gives no usable hint.
    """
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(float(lowered["retry-after-ms"]) / 1000, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(when - (time.time() if now is None else now), 0.0)


def classify(
    status_code: int | None,
    body: Any,
    headers: Mapping[str, str] | None,
    *,
    voice_id: str,
) -> Failure:
    """Map one failed response to a user-facing error and a retry decision.

    Args:
        status_code: HTTP status.
        body: Decoded JSON body (or text).
        headers: Response headers.
        voice_id: The voice asked for, named in a voice-not-found message.

    Returns:
        The failure; messages never contain the API key.
    """
    status, message = _detail(body)
    said = f" ElevenLabs said: {message}" if message else ""
    code = status_code or 0
    if status == "quota_exceeded":
        return Failure(
            TTSError(
                "ElevenLabs quota is exhausted: add credits or wait for the monthly reset, "
                f"or switch this twin to the offline voice.{said}"
            )
        )
    if status == "invalid_api_key" or code == 401:
        return Failure(TTSError(f"ElevenLabs rejected the API key: check {KEY_ENV}."))
    if status == "voice_not_found" or code == 404:
        return Failure(
            TTSError(
                f"ElevenLabs has no voice with id {voice_id!r} for this account: fix the "
                "voice id of the twin's voice profile."
            )
        )
    if code == 403:
        return Failure(
            TTSError(
                "ElevenLabs refused the request: the API key lacks text-to-speech permission "
                f"or the plan does not include this voice, model or output format.{said}"
            )
        )
    if code == 429 or code >= 500:
        reason = "is rate limiting requests" if code == 429 else f"had a server error (HTTP {code})"
        return Failure(
            TTSError(f"ElevenLabs {reason} and did not recover after retries; try again later."),
            retryable=True,
            retry_after=parse_retry_after(headers),
        )
    if code in (400, 422):
        return Failure(TTSError(f"ElevenLabs rejected the speech request (HTTP {code}).{said}"))
    return Failure(TTSError(f"ElevenLabs request failed with HTTP {code}.{said}"))


def scrub(message: str, secret: str) -> str:
    """``message`` with every occurrence of ``secret`` masked."""
    return message.replace(secret, "***") if secret else message

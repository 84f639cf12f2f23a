"""Remove secrets (tokens, client secrets, Authorization values) from text and data."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["REDACTED", "SECRET_KEYS", "RedactingFilter", "install_log_redaction", "redact"]

REDACTED = "[REDACTED]"

SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "id_token",
        "code_verifier",
        "fb_exchange_token",
        "authorization",
        "input_token",
        "uploadtoken",
        "upload_token",
        "password",
        "app_secret",
    }
)

_QUERY = re.compile(
    r"(?i)\b(access_token|refresh_token|client_secret|fb_exchange_token|code_verifier|id_token|input_token)"
    r"(=|%3D)[^&\s\"'<>]+"
)
_JSON = re.compile(
    r"(?i)([\"'](?:access_token|refresh_token|client_secret|id_token|fb_exchange_token|code_verifier)[\"']"
    r"\s*:\s*)[\"'][^\"']*[\"']"
)
_AUTH = re.compile(r"(?i)\b(Bearer|OAuth)\s+[A-Za-z0-9._~+/=|:\-]{4,}")
_AUTH_HEADER = re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)[^\"',}\n]+")


def _redact_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _QUERY.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _JSON.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return _AUTH.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Return a copy of ``value`` with secrets removed.

    Args:
        value: A str, dict, list, tuple or scalar (nested freely).
        secrets: Exact secret strings to remove wherever they occur.

    Returns:
        The same shape with secret-named keys and secret-looking text replaced by ``[REDACTED]``.
    """
    known = tuple(s for s in secrets if s)
    if isinstance(value, str):
        return _redact_text(value, known)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and key.lower().replace("-", "_") in SECRET_KEYS:
                out[key] = REDACTED
            else:
                out[key] = redact(item, known)
        return out
    if isinstance(value, list | tuple):
        return type(value)(redact(item, known) for item in value)
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs secret-looking text from every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without secrets; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return True
        record.msg = _redact_text(message, ())
        record.args = None
        return True


_INSTALLED: set[str] = set()


def install_log_redaction(logger_names: Iterable[str] = ("httpx", "httpcore")) -> None:
    """Attach :class:`RedactingFilter` once to loggers that print request URLs (httpx logs them)."""
    for name in logger_names:
        if name not in _INSTALLED:
            logging.getLogger(name).addFilter(RedactingFilter())
            _INSTALLED.add(name)

"""The trend-source contract, and the HTTP read every remote source shares."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import httpx

from tools.trends.models import SourceKind, TrendItem

__all__ = ["MAX_RESPONSE_BYTES", "Clock", "SourceError", "TrendSource", "display_url", "read_bytes"]

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware (the run's clock, so simulations stay on theirs)."""

MAX_RESPONSE_BYTES = 5_000_000
"""A feed bigger than this is refused rather than read into memory."""


class SourceError(RuntimeError):
    """A source could not answer; the message is one line, safe to show and to store."""


@runtime_checkable
class TrendSource(Protocol):
    """A place trend items come from. Registered by name in entry-point group ``twin_agent.trends``.

    Attributes:
        name: Stable, unique name of this configured source (cache key, shown in reports).
        kind: What sort of source it is (``news``, ``platform_trending``, ``google_trends`` ...).
        cacheable: True when answers may be cached per day on disk (remote sources).
    """

    name: str
    kind: SourceKind
    cacheable: bool

    def fetch(self, *, client: httpx.Client, clock: Clock) -> list[TrendItem]:
        """Current items, newest or most popular first.

        Args:
            client: The HTTP client to use (its timeout and transport are the caller's).
            clock: The current time.

        Raises:
            SourceError: The source could not be read (the collector records it as a failure).
        """
        ...


def display_url(url: str) -> str:
    """``host/path`` of a URL, without query or credentials (those may hold keys)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{host}{parts.path}".rstrip("/") or url[:60]


def read_bytes(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    deadline: float | None = None,
    max_bytes: int = MAX_RESPONSE_BYTES,
    label: str | None = None,
    describe_error: Callable[[bytes], str] | None = None,
) -> bytes:
    """GET ``url`` and return the body, within a total time and size budget.

    Args:
        client: HTTP client (its own timeout bounds each connect and read).
        url: Absolute URL.
        params: Query parameters.
        headers: Extra request headers.
        deadline: Seconds the whole download may take; a server that drips bytes is cut off.
        max_bytes: Largest body accepted.
        label: How the URL appears in errors (default host and path only, never the query).
        describe_error: Turns an error response's body into a short reason for the message.

    Raises:
        SourceError: Timeout, connection error, HTTP error status or an oversized body.
    """
    shown = label or display_url(url)
    started = time.monotonic()
    try:
        with client.stream("GET", url, params=params, headers=headers) as response:
            if response.status_code >= 400:
                reason = ""
                if describe_error is not None:
                    reason = describe_error(response.read()[:65536])
                raise SourceError(
                    f"{shown} answered HTTP {response.status_code}"
                    + (f": {reason}" if reason else "")
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise SourceError(f"{shown} sent more than {max_bytes:,} bytes")
                if deadline is not None and time.monotonic() - started > deadline:
                    raise SourceError(f"{shown} took longer than {deadline:g} s")
                chunks.append(chunk)
    except httpx.TimeoutException:
        raise SourceError(f"{shown} timed out") from None
    except httpx.HTTPError as exc:
        raise SourceError(f"could not reach {shown} ({type(exc).__name__})") from None
    return b"".join(chunks)

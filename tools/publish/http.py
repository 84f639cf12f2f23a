"""Shared HTTP layer for platform adapters: retries with backoff, error classes, redaction."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from tools.publish.base import PublishError
from tools.publish.errors import Classifier, classify_generic
from tools.publish.redact import install_log_redaction, redact
from tools.retry import Retry, RetryPolicy, backoff_delay, call_with_retries

__all__ = ["UNCONFIRMED", "ApiClient", "RetryPolicy"]

log = logging.getLogger(__name__)

# Code of a PublishError raised when a request that changes state may or may not have landed.
UNCONFIRMED = "unconfirmed"

_SAFE_TO_RESEND = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(kw_only=True)
class ApiClient:
    """An ``httpx.Client`` wrapper that retries, classifies errors and never leaks secrets.

    Args:
        base_url: Prefix for relative paths (each adapter has its own setting for it).
        classify: Turns an error response into a :class:`PublishError`.
        client: An existing client to use; if None one is built from ``transport``/``timeout``.
        transport: Optional transport for the built client (tests pass a MockTransport).
        timeout: Seconds per request for the built client.
        retry: Retry policy.
        sleep: Sleep function (tests inject one that does not wait).
        rng: Random source for jitter.
        platform: Name used in messages.
    """

    base_url: str
    classify: Classifier = classify_generic
    client: httpx.Client | None = None
    transport: httpx.BaseTransport | None = None
    timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    platform: str = "platform"

    def __post_init__(self) -> None:
        install_log_redaction()
        if self.client is None:
            self.client = httpx.Client(transport=self.transport, timeout=self.timeout)
        self.base_url = self.base_url.rstrip("/")

    def url(self, path: str) -> str:
        """Absolute URL for ``path`` (absolute URLs pass through)."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Delay before retry number ``attempt`` (1-based): Retry-After if given, else jittered."""
        if retry_after is not None:
            return retry_after
        return backoff_delay(self.retry, attempt, self.rng)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        ok_statuses: Iterable[int] = (),
        secrets: Iterable[str] = (),
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one logical request, retrying what is safe to retry.

        Args:
            method: HTTP method.
            path: Path under ``base_url`` or an absolute URL.
            params: Query parameters.
            json: JSON body.
            data: Form body.
            content: Raw body.
            headers: Extra headers.
            idempotent: False for a request that creates a post. Then a timeout, dropped
                connection or 5xx is not resent; it raises ``PublishError(code="unconfirmed")``
                so the adapter can look the post up first.
            ok_statuses: Non-2xx statuses the caller handles itself (e.g. 308 for uploads).
            secrets: Exact strings to scrub from any message (the token in use).
            timeout: Per-request timeout override.

        Returns:
            The response (2xx or one of ``ok_statuses``).

        Raises:
            PublishError: Classified failure, with secrets removed from its message.
        """
        assert self.client is not None
        client = self.client
        allowed = set(ok_statuses)
        secret_list = [s for s in secrets if s]
        url = self.url(path)
        attempts = [0]

        def attempt() -> httpx.Response:
            attempts[0] += 1
            try:
                response = client.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    content=content,
                    headers=headers,
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TransportError as exc:
                raise self._transport_failure(
                    exc, method, url, secret_list, idempotent, attempts[0]
                ) from None
            log.debug(
                "%s %s -> %s",
                method,
                redact(str(response.request.url), secret_list),
                response.status_code,
            )
            if response.is_success or response.status_code in allowed:
                return response
            error = self.classify(response)
            error.args = (redact(str(error), secret_list),)
            if error.auth_expired or not error.retryable:
                raise error
            if not idempotent and response.status_code >= 500:
                raise PublishError(
                    f"{error} (the post may exist, look it up before retrying)",
                    retryable=True,
                    retry_after=error.retry_after,
                    code=UNCONFIRMED,
                )
            raise Retry(error, error.retry_after)

        return call_with_retries(attempt, policy=self.retry, sleep=self.sleep, rng=self.rng)

    def _transport_failure(
        self,
        exc: httpx.TransportError,
        method: str,
        url: str,
        secret_list: list[str],
        idempotent: bool,
        attempt: int,
    ) -> BaseException:
        """What a dropped connection means: unconfirmed (not resent), retry, or give up."""
        sent_maybe = not isinstance(exc, _SAFE_TO_RESEND)
        name = type(exc).__name__
        shown = redact(_path_only(url), secret_list)
        log.debug("%s %s failed: %s", method, redact(url, secret_list), name)
        if sent_maybe and not idempotent:
            return PublishError(
                f"{self.platform}: {method} {shown} "
                f"did not confirm ({name}); the post may exist, look it up before retrying",
                retryable=True,
                code=UNCONFIRMED,
            )
        final = PublishError(
            f"{self.platform}: {method} {shown} failed "
            f"after {attempt} attempts ({name}); check the network and retry",
            retryable=True,
            code="network",
        )
        return final if attempt >= self.retry.max_attempts else Retry(final)

    def json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Like :meth:`request` and decode a JSON object body (empty dict when none)."""
        response = self.request(method, path, **kwargs)
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {"data": body}


def _path_only(url: str) -> str:
    return url.split("?", 1)[0]

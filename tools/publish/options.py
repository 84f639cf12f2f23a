"""Settings every adapter shares: how it talks HTTP and how it waits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from tools.publish.errors import Classifier
from tools.publish.http import ApiClient, RetryPolicy

__all__ = ["HttpOptions"]


@dataclass(kw_only=True)
class HttpOptions:
    """Transport settings shared by an adapter's API clients.

    Attributes:
        client: An ``httpx.Client`` to use (proxies, custom TLS); built from ``transport`` when None.
        transport: Transport for the built client (``httpx.MockTransport`` in unit tests).
        timeout: Seconds per request.
        retry: Retry policy for transient failures.
        sleep: Sleep function used for backoff and status polling.
        now: Clock returning an aware datetime.
        poll_interval: Seconds between status polls while a platform processes a video.
        max_polls: Status polls before giving up with state "processing".
    """

    client: httpx.Client | None = None
    transport: httpx.BaseTransport | None = None
    timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    poll_interval: float = 5.0
    max_polls: int = 60

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = httpx.Client(transport=self.transport, timeout=self.timeout)

    def api(self, base_url: str, classify: Classifier, platform: str) -> ApiClient:
        """An :class:`ApiClient` on the shared client for one host."""
        return ApiClient(
            base_url=base_url,
            classify=classify,
            client=self.client,
            retry=self.retry,
            sleep=self.sleep,
            platform=platform,
        )

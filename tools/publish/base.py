"""Publisher contract shared by the sandbox and every real platform adapter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

PublishState = Literal["published", "processing", "failed"]

# Seed 003 section 13.2: a metric a platform does not report stays absent, never 0.
METRIC_KEYS = (
    "views",
    "impressions",
    "likes",
    "comments",
    "shares",
    "saves",
    "watch_time_sec",
    "ctr",
    "followers_delta",
)
INTERACTION_KEYS = ("likes", "comments", "shares", "saves")
"""The metrics that count as interactions (engagement) of a post."""


def interactions(metrics: Mapping[str, object]) -> float:
    """Likes + comments + shares + saves of a metrics mapping (absent ones count 0)."""
    total = 0.0
    for key in INTERACTION_KEYS:
        value = metrics.get(key)
        total += float(value) if isinstance(value, int | float) else 0.0
    return total


class Credentials(BaseModel):
    """Decrypted credentials for one account; never logged, never stored in plaintext."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scopes: list[str] = Field(default_factory=list)


class AccountRef(BaseModel):
    """The account a call acts for."""

    account_id: str
    platform: str
    handle: str
    external_id: str


class PublishRequest(BaseModel):
    """One reel to publish on one account."""

    media_path: Path
    caption: str
    hashtags: list[str] = Field(default_factory=list)
    title: str = ""
    thumbnail_path: Path | None = None
    idempotency_key: str
    synthetic_media: bool = True
    scheduled_for: datetime | None = None
    meta: dict[str, str] = Field(default_factory=dict)


class PublishResult(BaseModel):
    """The platform's answer to a publish."""

    platform_post_id: str
    url: str | None = None
    state: PublishState = "published"
    raw: dict[str, object] = Field(default_factory=dict)


class RateLimitState(BaseModel):
    """What the platform says is left; persisted per account."""

    remaining: int | None = None
    limit: int | None = None
    reset_at: datetime | None = None


class PublishError(RuntimeError):
    """A publish failure. ``retryable`` tells the caller whether trying again can help."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        code: str | None = None,
        auth_expired: bool = False,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code
        self.auth_expired = auth_expired


@runtime_checkable
class Publisher(Protocol):
    """A platform adapter. Register it under the entry-point group ``twin_agent.publishers``."""

    platform: str

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult: ...

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult: ...

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        """After an unconfirmed attempt: the post made for this request, if the platform has it."""
        ...

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]: ...

    def refresh_token(self, credentials: Credentials) -> Credentials: ...

    def limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState: ...

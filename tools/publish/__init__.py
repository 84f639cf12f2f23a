"""Publishing to social platforms: one adapter per platform behind the Publisher protocol."""

from tools.publish.base import (
    METRIC_KEYS,
    AccountRef,
    Credentials,
    Publisher,
    PublishError,
    PublishRequest,
    PublishResult,
    RateLimitState,
)
from tools.publish.registry import available_platforms, get_publisher

__all__ = [
    "METRIC_KEYS",
    "AccountRef",
    "Credentials",
    "PublishError",
    "PublishRequest",
    "PublishResult",
    "Publisher",
    "RateLimitState",
    "available_platforms",
    "get_publisher",
]

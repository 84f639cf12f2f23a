"""Graph API pieces shared by the Instagram, Facebook and Threads adapters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tools.publish.base import Credentials, PublishError, RateLimitState
from tools.publish.http import UNCONFIRMED, ApiClient
from tools.publish.tokens import credentials_from_token_response

__all__ = [
    "bearer",
    "ensure_quota",
    "fb_exchange_token",
    "insights_values",
    "publishing_limit",
    "refresh_long_lived",
    "rupload",
]


def bearer(credentials: Credentials) -> dict[str, str]:
    """Authorization header for Graph calls (keeps tokens out of URLs and access logs)."""
    return {"Authorization": f"Bearer {credentials.access_token}"}


def insights_values(body: dict[str, Any]) -> dict[str, float]:
    """``{"data": [{"name", "values": [{"value"}] | "total_value": {"value"}}]}`` -> name: value.

    A metric missing from ``data`` (Meta returns an empty set when it has none) stays absent.
    """
    out: dict[str, float] = {}
    for item in body.get("data") or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        value: Any = None
        total = item.get("total_value")
        if isinstance(total, dict):
            value = total.get("value")
        values = item.get("values")
        if value is None and isinstance(values, list) and values:
            value = values[-1].get("value") if isinstance(values[-1], dict) else None
        if isinstance(value, dict):
            value = sum(v for v in value.values() if isinstance(v, int | float))
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[str(item["name"])] = float(value)
    return out


def publishing_limit(
    api: ApiClient, path: str, credentials: Credentials, now: datetime
) -> RateLimitState:
    """Read ``content_publishing_limit`` / ``threads_publishing_limit`` (quota_total is not assumed)."""
    body = api.json(
        "GET",
        path,
        params={"fields": "quota_usage,config"},
        headers=bearer(credentials),
        secrets=[credentials.access_token],
    )
    data = body.get("data") or [{}]
    entry = data[0] if isinstance(data[0], dict) else {}
    config = entry.get("config") or {}
    total = config.get("quota_total")
    usage = entry.get("quota_usage")
    duration = config.get("quota_duration")
    remaining = int(total) - int(usage) if total is not None and usage is not None else None
    return RateLimitState(
        remaining=remaining,
        limit=int(total) if total is not None else None,
        reset_at=now + timedelta(seconds=int(duration)) if duration and remaining == 0 else None,
    )


def ensure_quota(state: RateLimitState, platform: str) -> None:
    """Refuse before publishing when the rolling publishing quota is used up."""
    if state.remaining is not None and state.remaining <= 0:
        wait = (state.reset_at - datetime.now(UTC)).total_seconds() if state.reset_at else 3600.0
        raise PublishError(
            f"{platform}: publishing quota used ({state.limit} posts per rolling 24 h); "
            "the post was not sent, retry after the window moves on",
            retryable=True,
            retry_after=max(60.0, wait),
            code="quota_exhausted",
        )


def rupload(
    api: ApiClient,
    url: str,
    credentials: Credentials,
    data: bytes,
    *,
    server_offset: Callable[[], int] | None = None,
    attempts: int = 4,
) -> dict[str, Any]:
    """Send a file to rupload.facebook.com with ``offset``/``file_size`` headers.

    After an interrupted transfer the upload continues from ``server_offset()`` (what Meta says
    it received) when that is given; otherwise it is sent again from byte 0 into the same
    container, which cannot create a second post.
    """
    offset = 0
    for attempt in range(1, attempts + 1):
        try:
            return api.json(
                "POST",
                url,
                content=data[offset:],
                headers={
                    "Authorization": f"OAuth {credentials.access_token}",
                    "offset": str(offset),
                    "file_size": str(len(data)),
                    "Content-Type": "application/octet-stream",
                },
                idempotent=False,
                secrets=[credentials.access_token],
            )
        except PublishError as exc:
            if exc.code != UNCONFIRMED or attempt == attempts:
                raise
            api.sleep(api.backoff(attempt, None))
            offset = min(max(0, server_offset()), len(data)) if server_offset else 0
    raise AssertionError("unreachable")


def fb_exchange_token(
    api: ApiClient,
    path: str,
    credentials: Credentials,
    *,
    app_id: str,
    app_secret: str,
    now: Callable[[], datetime] | None = None,
) -> Credentials:
    """Facebook Login: ``GET /oauth/access_token?grant_type=fb_exchange_token`` for a long-lived token."""
    body = api.json(
        "GET",
        path,
        params={
            "grant_type": "fb_exchange_token",
            "client_id": app_id,
            "client_secret": app_secret,
            "fb_exchange_token": credentials.access_token,
        },
        secrets=[credentials.access_token, app_secret],
    )
    return credentials_from_token_response(body, credentials, now=now, platform=api.platform)


def refresh_long_lived(
    api: ApiClient,
    path: str,
    grant_type: str,
    credentials: Credentials,
    *,
    now: Callable[[], datetime] | None = None,
) -> Credentials:
    """Instagram Login (``ig_refresh_token``) / Threads (``th_refresh_token``) token refresh."""
    body = api.json(
        "GET",
        path,
        params={"grant_type": grant_type, "access_token": credentials.access_token},
        secrets=[credentials.access_token],
    )
    return credentials_from_token_response(
        body, credentials, now=now or (lambda: datetime.now(UTC)), platform=api.platform
    )

"""Turn each platform's error responses into :class:`PublishError` with the right flags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tools.publish.base import PublishError
from tools.publish.redact import redact

__all__ = [
    "Classifier",
    "classify_generic",
    "classify_linkedin",
    "classify_meta",
    "classify_tiktok",
    "classify_youtube",
    "parse_retry_after",
    "seconds_until_pacific_midnight",
]

Classifier = Callable[[httpx.Response], PublishError]

META_RATE_LIMIT = frozenset({4, 17, 32, 613, 341, 9})
META_TRANSIENT = frozenset({1, 2})
META_PERMISSION = frozenset({10, *range(200, 300)})
PACIFIC = ZoneInfo("America/Los_Angeles")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = now or datetime.now(when.tzinfo)
    return max(0.0, (when - current).total_seconds())


def seconds_until_pacific_midnight(now: datetime | None = None) -> float:
    """Seconds until the YouTube Data API quota resets (midnight Pacific time)."""
    current = (now or datetime.now(PACIFIC)).astimezone(PACIFIC)
    midnight = (current + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1.0, (midnight - current).total_seconds())


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _describe(platform: str, response: httpx.Response, detail: str) -> str:
    return str(redact(f"{platform} answered HTTP {response.status_code}: {detail}"))


def classify_generic(response: httpx.Response, platform: str = "platform") -> PublishError:
    """Classify by HTTP status alone: 429/5xx retryable, 401 auth expired, others permanent."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    text = response.text[:300]
    if status == 401:
        return PublishError(
            _describe(platform, response, "the access token is invalid or expired; refresh it"),
            code="auth_expired",
            auth_expired=True,
        )
    if status == 429:
        return PublishError(
            _describe(platform, response, f"rate limited. {text}"),
            retryable=True,
            retry_after=retry_after,
            code="rate_limited",
        )
    if status >= 500:
        return PublishError(
            _describe(platform, response, f"server error. {text}"),
            retryable=True,
            retry_after=retry_after,
            code="server_error",
        )
    return PublishError(_describe(platform, response, text), code=f"http_{status}")


def classify_meta(response: httpx.Response) -> PublishError:
    """Graph API errors (Instagram, Facebook, Threads) by ``error.code``."""
    error = _json(response).get("error")
    if not isinstance(error, dict):
        return classify_generic(response, "Meta Graph API")
    code = int(error.get("code") or 0)
    subcode = error.get("error_subcode")
    message = str(error.get("error_user_msg") or error.get("message") or "")
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    detail = f"error {code}" + (f"/{subcode}" if subcode else "") + f": {message}"
    if code == 190 or response.status_code == 401:
        return PublishError(
            _describe("Meta Graph API", response, detail + " (refresh or reconnect the account)"),
            code="auth_expired",
            auth_expired=True,
        )
    if code in META_RATE_LIMIT:
        return PublishError(
            _describe("Meta Graph API", response, detail + " (rate limit; retry later)"),
            retryable=True,
            retry_after=retry_after if retry_after is not None else 60.0,
            code="rate_limited",
        )
    if code == 368:
        return PublishError(
            _describe("Meta Graph API", response, detail + " (blocked by policy; do not retry)"),
            code="policy_blocked",
        )
    if code == 506:
        return PublishError(
            _describe("Meta Graph API", response, detail + " (duplicate post; not retried)"),
            code="duplicate",
        )
    if code in META_PERMISSION:
        return PublishError(
            _describe("Meta Graph API", response, detail + " (missing permission; re-authorize)"),
            code="permission_denied",
        )
    if code in META_TRANSIENT or response.status_code >= 500 or error.get("is_transient"):
        return PublishError(
            _describe("Meta Graph API", response, detail),
            retryable=True,
            retry_after=retry_after,
            code="server_error",
        )
    return PublishError(_describe("Meta Graph API", response, detail), code=f"meta_{code}")


TIKTOK_RETRY_LATER = {"spam_risk_too_many_posts": 3600.0, "spam_risk_too_many_pending_share": 600.0}


def classify_tiktok(response: httpx.Response) -> PublishError:
    """TikTok API v2 errors by ``error.code``."""
    error = _json(response).get("error")
    if not isinstance(error, dict) or error.get("code") in (None, "ok"):
        return classify_generic(response, "TikTok")
    code = str(error.get("code"))
    detail = f"{code}: {error.get('message') or ''}"
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if code in {"access_token_invalid"} or (
        response.status_code == 401 and code.startswith("access")
    ):
        return PublishError(
            _describe("TikTok", response, detail + " (refresh the token)"),
            code="auth_expired",
            auth_expired=True,
        )
    if code == "rate_limit_exceeded":
        return PublishError(
            _describe("TikTok", response, detail),
            retryable=True,
            retry_after=retry_after if retry_after is not None else 60.0,
            code="rate_limited",
        )
    if code in TIKTOK_RETRY_LATER:
        return PublishError(
            _describe("TikTok", response, detail + " (posting cap reached; retry later)"),
            retryable=True,
            retry_after=TIKTOK_RETRY_LATER[code],
            code="quota_exhausted",
        )
    if code in {"scope_not_authorized", "scope_permission_missed"}:
        return PublishError(
            _describe("TikTok", response, detail + " (re-authorize with video.publish)"),
            code="permission_denied",
        )
    if code == "internal_error" or response.status_code >= 500:
        return PublishError(
            _describe("TikTok", response, detail),
            retryable=True,
            retry_after=retry_after,
            code="server_error",
        )
    return PublishError(_describe("TikTok", response, detail), code=code)


def classify_youtube(response: httpx.Response, now: datetime | None = None) -> PublishError:
    """Google API errors; ``quotaExceeded`` waits until the Pacific-midnight reset."""
    error = _json(response).get("error")
    reasons: list[str] = []
    message = ""
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        for item in error.get("errors") or []:
            if isinstance(item, dict) and item.get("reason"):
                reasons.append(str(item["reason"]))
    detail = f"{','.join(reasons) or 'error'}: {message}"
    if response.status_code == 401:
        return PublishError(
            _describe("YouTube", response, detail + " (refresh the token)"),
            code="auth_expired",
            auth_expired=True,
        )
    if {"quotaExceeded", "dailyLimitExceeded"} & set(reasons):
        return PublishError(
            _describe("YouTube", response, detail + " (daily quota used; resets at midnight PT)"),
            retryable=True,
            retry_after=seconds_until_pacific_midnight(now),
            code="quota_exhausted",
        )
    if {"rateLimitExceeded", "userRateLimitExceeded"} & set(reasons):
        return PublishError(
            _describe("YouTube", response, detail),
            retryable=True,
            retry_after=parse_retry_after(response.headers.get("Retry-After")) or 30.0,
            code="rate_limited",
        )
    if {"uploadLimitExceeded"} & set(reasons):
        return PublishError(
            _describe("YouTube", response, detail + " (channel upload limit; retry tomorrow)"),
            retryable=True,
            retry_after=seconds_until_pacific_midnight(now),
            code="quota_exhausted",
        )
    if response.status_code in (429,) or response.status_code >= 500:
        return classify_generic(response, "YouTube")
    return PublishError(
        _describe("YouTube", response, detail), code=reasons[0] if reasons else None
    )


def classify_linkedin(response: httpx.Response) -> PublishError:
    """LinkedIn REST errors (``{"message", "status", "serviceErrorCode"}``)."""
    body = _json(response)
    message = str(body.get("message") or response.text[:300])
    if response.status_code in (401,) or body.get("serviceErrorCode") == 65601:
        return PublishError(
            _describe("LinkedIn", response, message + " (refresh the token)"),
            code="auth_expired",
            auth_expired=True,
        )
    if response.status_code == 422 and "duplicate" in message.lower():
        return PublishError(
            _describe("LinkedIn", response, message + " (duplicate post; not retried)"),
            code="duplicate",
        )
    if response.status_code == 403:
        return PublishError(
            _describe("LinkedIn", response, message + " (missing permission; re-authorize)"),
            code="permission_denied",
        )
    if response.status_code == 429:
        error = classify_generic(response, "LinkedIn")
        if error.retry_after is None:
            error.retry_after = 60.0
        return error
    return classify_generic(response, "LinkedIn")

"""OAuth token responses to :class:`Credentials`, and the refresh_token grant."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tools.publish.base import Credentials, PublishError
from tools.publish.http import ApiClient

__all__ = ["credentials_from_token_response", "refresh_token_grant", "require"]


def require(value: str | None, name: str, platform: str) -> str:
    """Return a required setting or raise a clear error naming it."""
    if not value:
        raise PublishError(
            f"{platform}: setting '{name}' is required for this call; configure it and retry",
            code="configuration",
        )
    return value


def credentials_from_token_response(
    body: Mapping[str, Any],
    previous: Credentials,
    *,
    now: Callable[[], datetime] | None = None,
    platform: str = "platform",
) -> Credentials:
    """Build new credentials from a token endpoint answer, keeping what it did not renew."""
    token = body.get("access_token")
    if not token:
        raise PublishError(
            f"{platform}: the token endpoint returned no access_token; reconnect the account",
            code="auth_expired",
            auth_expired=True,
        )
    current = (now or (lambda: datetime.now(UTC)))()
    expires_in = body.get("expires_in")
    scope = body.get("scope")
    scopes = previous.scopes
    if isinstance(scope, str) and scope:
        scopes = [s for s in scope.replace(",", " ").split() if s]
    return Credentials(
        access_token=str(token),
        refresh_token=str(body.get("refresh_token") or previous.refresh_token or "") or None,
        expires_at=current + timedelta(seconds=float(expires_in)) if expires_in else None,
        scopes=scopes,
    )


def refresh_token_grant(
    api: ApiClient,
    token_url: str,
    credentials: Credentials,
    *,
    client_id_field: str,
    client_id: str,
    client_secret: str,
    now: Callable[[], datetime] | None = None,
) -> Credentials:
    """RFC 6749 section 6 refresh (LinkedIn, TikTok, Google): form POST to the token endpoint."""
    if not credentials.refresh_token:
        raise PublishError(
            f"{api.platform}: no refresh token stored; reconnect the account to authorize again",
            code="auth_expired",
            auth_expired=True,
        )
    body = api.json(
        "POST",
        token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": credentials.refresh_token,
            client_id_field: client_id,
            "client_secret": client_secret,
        },
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        secrets=[credentials.refresh_token, client_secret, credentials.access_token],
    )
    return credentials_from_token_response(body, credentials, now=now, platform=api.platform)

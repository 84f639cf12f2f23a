"""Credentials of an integration key: decrypt, refresh before expiry or once on rejection, store.

A refresh that fails for authorization reasons marks the key ``expired`` and notifies the user;
the call is never retried in a loop.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from agent.context import Clock
from db.crypto import Cipher
from db.engine import transaction
from db.enums import EventType, IntegrationStatus, NotificationType, SubjectType
from db.models import IntegrationKey
from db.repo.runs import log_event, notify_once
from db.repo.secrets import read_tokens, set_tokens
from tools.publish.base import Credentials, Publisher, PublishError
from tools.publish.redact import redact

__all__ = ["REFRESH_MARGIN", "KeyCredentials", "TokenKeeper", "credentials_of"]

REFRESH_MARGIN = timedelta(minutes=10)
T = TypeVar("T")


def credentials_of(key: IntegrationKey, cipher: Cipher) -> Credentials:
    """Decrypted credentials of a key (never log the result)."""
    access, refresh = read_tokens(key=key, cipher=cipher)
    return Credentials(
        access_token=access,
        refresh_token=refresh,
        expires_at=key.token_expires_at,
        scopes=list(key.scopes),
    )


@dataclass
class KeyCredentials:
    """The credentials in use for one key, and every secret seen, for redaction."""

    key_id: uuid.UUID
    platform: str
    credentials: Credentials
    secrets: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.remember(self.credentials)

    def remember(self, credentials: Credentials) -> None:
        """Add a credential set's tokens to the redaction list."""
        self.secrets |= {s for s in (credentials.access_token, credentials.refresh_token) if s}


@dataclass(kw_only=True)
class TokenKeeper:
    """Refreshes and stores tokens of integration keys.

    Args:
        sessions: Session factory.
        cipher: Encrypts the tokens it stores.
        clock: Decides when a token is about to expire.
        margin: Refresh a token that expires within this long.
    """

    sessions: Callable[..., object]
    cipher: Cipher
    clock: Clock
    margin: timedelta = REFRESH_MARGIN

    def ensure_fresh(self, held: KeyCredentials, publisher: Publisher) -> None:
        """Refresh ahead of expiry; a transient refresh failure keeps the still-valid token."""
        expires = held.credentials.expires_at
        if expires is None or expires - self.clock.now() > self.margin:
            return
        try:
            self.refresh(held, publisher)
        except PublishError as exc:
            if exc.auth_expired or expires <= self.clock.now():
                raise

    def call(self, held: KeyCredentials, publisher: Publisher, fn: Callable[[Credentials], T]) -> T:
        """``fn(credentials)``; on an expired-token answer refresh once and call once more."""
        try:
            return fn(held.credentials)
        except PublishError as exc:
            if not exc.auth_expired:
                raise
        self.refresh(held, publisher)
        try:
            return fn(held.credentials)
        except PublishError as exc:
            if exc.auth_expired:
                self._expire(held, "the platform rejected the token right after refreshing it")
                raise PublishError(
                    f"{held.platform}: the refreshed token was rejected too; reconnect the account "
                    f"with 'twin accounts connect {held.platform}'",
                    code="auth_expired",
                    auth_expired=True,
                ) from None
            raise

    def refresh(self, held: KeyCredentials, publisher: Publisher) -> None:
        """Refresh now and store the new tokens encrypted (the refresh token is kept if not renewed)."""
        try:
            fresh = publisher.refresh_token(held.credentials)
        except PublishError as exc:
            message = str(redact(str(exc), held.secrets))
            if exc.retryable and not exc.auth_expired:
                raise PublishError(
                    f"{held.platform}: token refresh did not complete ({message}); retried later",
                    retryable=True,
                    retry_after=exc.retry_after,
                    code="refresh_unavailable",
                ) from None
            if exc.code == "configuration":
                raise PublishError(message, code="configuration") from None
            self._expire(held, message)
            raise PublishError(
                f"{held.platform}: token refresh failed ({message}); reconnect the account with "
                f"'twin accounts connect {held.platform}'",
                code="auth_expired",
                auth_expired=True,
            ) from None
        if fresh.access_token == held.credentials.access_token:
            self._expire(held, "the platform has no way to renew this token")
            raise PublishError(
                f"{held.platform}: the access token was rejected and cannot be renewed; reconnect "
                f"the account with 'twin accounts connect {held.platform}'",
                code="auth_expired",
                auth_expired=True,
            )
        if not fresh.refresh_token:
            fresh = fresh.model_copy(update={"refresh_token": held.credentials.refresh_token})
        held.credentials = fresh
        held.remember(fresh)
        with transaction(self.sessions) as session:  # type: ignore[arg-type]
            key = session.get(IntegrationKey, held.key_id)
            assert key is not None
            set_tokens(
                key=key,
                cipher=self.cipher,
                access_token=fresh.access_token,
                refresh_token=fresh.refresh_token,
            )
            key.token_expires_at = fresh.expires_at
            if fresh.scopes:
                key.scopes = list(fresh.scopes)
            key.status = IntegrationStatus.connected

    def _expire(self, held: KeyCredentials, reason: str) -> None:
        now = self.clock.now()
        with transaction(self.sessions) as session:  # type: ignore[arg-type]
            key = session.get(IntegrationKey, held.key_id)
            if key is None:
                return
            key.status = IntegrationStatus.expired
            message = (
                f"{held.platform} access expired and could not be renewed ({reason}); "
                f"reconnect with 'twin accounts connect {held.platform}'"
            )
            notify_once(
                session=session,
                user_id=key.user_id,
                type=NotificationType.account_expired,
                dedupe_key=f"expired:{key.id}:{now.date()}",
                payload={"platform": held.platform, "message": message},
            )
            log_event(
                session=session,
                event_type=EventType.error,
                subject_type=SubjectType.account,
                subject_id=key.id,
                user_id=key.user_id,
                message=str(redact(message, held.secrets)),
                at=now,
            )

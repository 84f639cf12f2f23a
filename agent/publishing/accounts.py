"""Connected accounts: store tokens encrypted, read the account's identity, reconnect, disconnect."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.errors import UserError
from agent.records.audit import AuditOrigin, cli_actor
from db.crypto import Cipher
from db.engine import transaction
from db.enums import IntegrationStatus, PublishStatus
from db.models import IntegrationKey, Post, SocialAccount
from db.repo import audit
from db.repo.identity import NotFoundError, get_user_by_email
from db.repo.secrets import create_integration_key, set_tokens
from tools.publish.base import Credentials, Publisher, PublishError
from tools.publish.identity import AccountIdentity
from tools.publish.oauth import PkceFlow

__all__ = [
    "AccountRow",
    "ConnectResult",
    "authorize",
    "connect_account",
    "disconnect_account",
    "find_account",
    "list_account_rows",
    "registered_platform",
    "resolve_identity",
]


@dataclass
class ConnectResult:
    """What ``connect_account`` stored."""

    account_id: uuid.UUID
    platform: str
    handle: str
    external_id: str
    reconnected: bool
    requeued: int


@dataclass
class AccountRow:
    """One account as ``twin accounts list`` shows it (no secrets)."""

    account_id: uuid.UUID
    platform: str
    handle: str
    external_id: str
    connected: bool
    status: str
    expires_at: datetime | None
    scopes: list[str]
    has_refresh_token: bool


def registered_platform(name: str) -> str:
    """``name`` if a publisher is registered under it (built in or by a plugin), else UserError."""
    from tools.publish.registry import available_platforms

    known = available_platforms()
    if name not in known:
        raise UserError(
            f"unknown platform {name!r}; registered: {', '.join(known)} (a plugin adds one under "
            "the entry-point group 'twin_agent.publishers')"
        )
    return name


def resolve_identity(
    publisher: Publisher,
    credentials: Credentials,
    *,
    handle: str | None,
    external_id: str | None,
) -> AccountIdentity:
    """The account to connect: read from the platform when the adapter can, else from options.

    Raises:
        UserError: Neither the platform nor the options name an account.
    """
    lookup = getattr(publisher, "identities", None)
    if lookup is not None:
        try:
            found: list[AccountIdentity] = list(lookup(credentials))
        except PublishError as exc:
            if exc.auth_expired:
                raise UserError(
                    f"the platform rejected the token ({exc}); check it and try again"
                ) from None
            found = []
        if external_id:
            found = [f for f in found if f.external_id == external_id] or found[:0]
        if found:
            chosen = found[0]
            return chosen.model_copy(update={"handle": handle}) if handle else chosen
    if handle and external_id:
        return AccountIdentity(handle=handle, external_id=external_id)
    raise UserError(
        "could not read the account from the platform; pass --handle and --external-id "
        "(the platform's id of the account, e.g. the IG user id, Page id or channel id)"
    )


def connect_account(
    *,
    sessions: Callable[[], Session],
    cipher: Cipher,
    platform: str,
    credentials: Credentials,
    identity: AccountIdentity,
    user_email: str = "creator@localhost",
    actor: str | None = None,
    origin: AuditOrigin = AuditOrigin.cli,
) -> ConnectResult:
    """Store the account and its tokens encrypted; reconnecting keeps the account and what must stay.

    A reconnect reuses the account row (posts point at it), replaces the tokens, keeps the stored
    refresh token when the new grant brings none, marks the key connected, and puts posts that
    failed for expired credentials back in the queue. The audit log records who connected it
    (``actor``, by default the OS account) and from where.

    Raises:
        UserError: No publisher is registered under ``platform``.
    """
    platform = registered_platform(platform)
    token = identity.access_token or credentials.access_token
    with transaction(sessions) as session:  # type: ignore[arg-type]
        user = get_user_by_email(session=session, email=user_email)
        account = session.scalar(
            select(SocialAccount).where(
                SocialAccount.user_id == user.id,
                SocialAccount.platform == platform,
                SocialAccount.account_external_id == identity.external_id,
            )
        )
        key = (
            session.get(IntegrationKey, account.integration_id)
            if account and account.integration_id
            else None
        )
        reconnected = key is not None
        if key is None:
            key = create_integration_key(
                session=session,
                cipher=cipher,
                user_id=user.id,
                platform=platform,
                access_token=token,
                refresh_token=credentials.refresh_token,
                token_expires_at=credentials.expires_at,
                scopes=list(credentials.scopes),
            )
        else:
            set_tokens(
                key=key, cipher=cipher, access_token=token, refresh_token=credentials.refresh_token
            )
            key.token_expires_at = credentials.expires_at
            if credentials.scopes:
                key.scopes = list(credentials.scopes)
            key.status = IntegrationStatus.connected
        if account is None:
            account = SocialAccount(
                user_id=user.id,
                platform=platform,
                handle=identity.handle,
                account_external_id=identity.external_id,
                integration_id=key.id,
                is_connected=True,
            )
            session.add(account)
            session.flush()
        account.handle = identity.handle
        account.integration_id = key.id
        account.is_connected = True
        requeued = _requeue_auth_failures(session, account.id)
        audit.record(
            session=session,
            actor=actor or cli_actor(),
            action="account.reconnect" if reconnected else "account.connect",
            subject_type="social_account",
            subject_id=account.id,
            origin=origin,
            details={
                "platform": str(platform),
                "handle": account.handle,
                "external_id": identity.external_id,
                "scopes": list(key.scopes),
                "refresh": bool(credentials.refresh_token),
                "requeued_posts": requeued,
            },
            user_id=user.id,
        )
        return ConnectResult(
            account.id, platform, account.handle, identity.external_id, reconnected, requeued
        )


def _requeue_auth_failures(session: Session, account_id: uuid.UUID) -> int:
    count = 0
    for post in session.scalars(
        select(Post).where(
            Post.account_id == account_id, Post.publish_status == PublishStatus.failed
        )
    ):
        if (post.error_json or {}).get("code") == "auth_expired":
            post.publish_status = PublishStatus.scheduled
            post.next_attempt_at = None
            count += 1
    return count


def find_account(session: Session, ref: str, platform: str | None = None) -> SocialAccount:
    """An account by id, handle (with or without ``@``) or external id.

    Raises:
        NotFoundError: No account matches (exit code 4).
        UserError: More than one account matches.
    """
    rows = list(session.scalars(select(SocialAccount)))
    if platform:
        rows = [r for r in rows if r.platform.value == platform]
    bare = ref.lstrip("@")
    matches = [
        r
        for r in rows
        if str(r.id) == ref
        or str(r.id).startswith(ref)
        or r.handle.lstrip("@") == bare
        or r.account_external_id == ref
    ]
    if len(matches) != 1:
        known = ", ".join(f"{r.platform.value}:{r.handle}" for r in rows) or "none"
        what = "no account" if not matches else "more than one account"
        message = f"{what} matches {ref!r}; known accounts: {known} (see 'twin accounts list')"
        raise NotFoundError(message) if not matches else UserError(message)
    return matches[0]


def list_account_rows(session: Session) -> list[AccountRow]:
    """Every account with its key's state."""
    out = []
    for account in session.scalars(
        select(SocialAccount).order_by(SocialAccount.platform, SocialAccount.handle)
    ):
        key = (
            session.get(IntegrationKey, account.integration_id) if account.integration_id else None
        )
        out.append(
            AccountRow(
                account_id=account.id,
                platform=account.platform.value,
                handle=account.handle,
                external_id=account.account_external_id,
                connected=account.is_connected,
                status=key.status.value if key else "missing",
                expires_at=key.token_expires_at if key else None,
                scopes=list(key.scopes) if key else [],
                has_refresh_token=bool(key and key.refresh_token),
            )
        )
    return out


def disconnect_account(
    *,
    sessions: Callable[[], Session],
    cipher: Cipher,
    ref: str,
    actor: str | None = None,
    origin: AuditOrigin = AuditOrigin.cli,
) -> AccountRow:
    """Revoke the stored tokens and stop publishing to the account (its history stays)."""
    with transaction(sessions) as session:  # type: ignore[arg-type]
        account = find_account(session, ref)
        audit.record(
            session=session,
            actor=actor or cli_actor(),
            action="account.disconnect",
            subject_type="social_account",
            subject_id=account.id,
            origin=origin,
            details={"platform": account.platform.value, "handle": account.handle},
            before={"connected": account.is_connected},
            user_id=account.user_id,
        )
        account.is_connected = False
        key = (
            session.get(IntegrationKey, account.integration_id) if account.integration_id else None
        )
        if key is not None:
            key.status = IntegrationStatus.revoked
            set_tokens(
                key=key,
                cipher=cipher,
                access_token="",
                refresh_token=None,
                keep_refresh_token=False,
            )
        session.flush()
        return next(r for r in list_account_rows(session) if r.account_id == account.id)


def authorize(flow: PkceFlow, open_url: Callable[[str], object], timeout: float) -> Credentials:
    """Run the authorization-code flow: listen on loopback, send the user, trade the code."""
    flow.start()
    try:
        open_url(flow.authorize_url())
        code = flow.wait_for_code(timeout)
    finally:
        flow.close()
    return flow.exchange(code)

"""An account's adapter and decrypted credentials for comment calls (never logged)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from agent.publishing.requests import account_ref
from agent.publishing.tokens import KeyCredentials, credentials_of
from db.crypto import Cipher
from db.enums import IntegrationStatus
from db.models import IntegrationKey, SocialAccount
from tools.publish.base import AccountRef, Publisher, PublishError
from tools.publish.comments import CommentsCapable

__all__ = ["UNSUPPORTED", "Access", "NoAccess", "access_for"]

UNSUPPORTED = {
    "tiktok": "TikTok's public APIs cannot list or answer comments on a creator's videos",
}


class NoAccess(Exception):
    """The account cannot be used for comments now; the message says why and what to do."""

    def __init__(self, message: str, *, unsupported: bool = False) -> None:
        super().__init__(message)
        self.unsupported = unsupported


@dataclass
class Access:
    """Everything a comment call on one account needs."""

    account: AccountRef
    publisher: Publisher
    comments: CommentsCapable
    held: KeyCredentials


def access_for(
    session: Session,
    account: SocialAccount,
    *,
    cipher: Cipher,
    publisher_for: Callable[[str], Publisher],
) -> Access:
    """The adapter and credentials of ``account``.

    Raises:
        NoAccess: The platform has no comment API, or the account is disconnected or expired.
    """
    platform = account.platform.value
    if not account.is_connected:
        raise NoAccess(f"{platform} account {account.handle} is disconnected")
    try:
        publisher = publisher_for(platform)
    except (KeyError, TypeError, ValueError, PublishError) as exc:
        raise NoAccess(f"no {platform} adapter could be built: {exc}") from None
    if not isinstance(publisher, CommentsCapable):
        raise NoAccess(
            UNSUPPORTED.get(platform, f"the {platform} adapter cannot read or answer comments"),
            unsupported=True,
        )
    key = session.get(IntegrationKey, account.integration_id) if account.integration_id else None
    if key is None:
        raise NoAccess(f"{platform} account {account.handle} has no stored credentials")
    if key.status != IntegrationStatus.connected:
        raise NoAccess(
            f"{platform} credentials are {key.status.value}: reconnect with "
            f"'twin accounts connect {platform}'"
        )
    held = KeyCredentials(key.id, platform, credentials_of(key, cipher))
    return Access(account_ref(account), publisher, publisher, held)

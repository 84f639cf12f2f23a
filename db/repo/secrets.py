"""Encrypted credentials: integration tokens and stored API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.crypto import Cipher
from db.enums import IntegrationStatus
from db.models import IntegrationKey, StoredSecret


def _ctx(table: str, column: str, row_id: uuid.UUID) -> str:
    return f"{table}.{column}:{row_id}"


def create_integration_key(
    *,
    session: Session,
    cipher: Cipher,
    user_id: uuid.UUID,
    platform: str,
    access_token: str,
    refresh_token: str | None = None,
    token_expires_at: datetime | None = None,
    scopes: list[str] | None = None,
    client_app_name: str = "twin-agent",
) -> IntegrationKey:
    key = IntegrationKey(
        id=uuid.uuid4(),
        user_id=user_id,
        platform=platform,
        client_app_name=client_app_name,
        access_token="",
        token_expires_at=token_expires_at,
        scopes=scopes or [],
        status=IntegrationStatus.connected,
    )
    set_tokens(key=key, cipher=cipher, access_token=access_token, refresh_token=refresh_token)
    session.add(key)
    session.flush()
    return key


def set_tokens(
    *,
    key: IntegrationKey,
    cipher: Cipher,
    access_token: str,
    refresh_token: str | None,
    keep_refresh_token: bool = True,
) -> None:
    """Store new tokens encrypted. A missing new refresh token keeps the old one."""
    key.access_token = cipher.encrypt(
        access_token, context=_ctx("integration_keys", "access_token", key.id)
    )
    if refresh_token is not None:
        key.refresh_token = cipher.encrypt(
            refresh_token, context=_ctx("integration_keys", "refresh_token", key.id)
        )
    elif not keep_refresh_token:
        key.refresh_token = None


def read_tokens(*, key: IntegrationKey, cipher: Cipher) -> tuple[str, str | None]:
    access = cipher.decrypt(
        key.access_token, context=_ctx("integration_keys", "access_token", key.id)
    )
    refresh = (
        cipher.decrypt(key.refresh_token, context=_ctx("integration_keys", "refresh_token", key.id))
        if key.refresh_token
        else None
    )
    return access, refresh


def set_stored_secret(
    *, session: Session, cipher: Cipher, user_id: uuid.UUID, name: str, value: str
) -> StoredSecret:
    row = session.scalar(
        select(StoredSecret).where(StoredSecret.user_id == user_id, StoredSecret.name == name)
    )
    if row is None:
        row = StoredSecret(id=uuid.uuid4(), user_id=user_id, name=name, value="")
        session.add(row)
    row.value = cipher.encrypt(value, context=_ctx("stored_secrets", "value", row.id))
    session.flush()
    return row


def get_stored_secret(
    *, session: Session, cipher: Cipher, user_id: uuid.UUID, name: str
) -> str | None:
    row = session.scalar(
        select(StoredSecret).where(StoredSecret.user_id == user_id, StoredSecret.name == name)
    )
    if row is None:
        return None
    return cipher.decrypt(row.value, context=_ctx("stored_secrets", "value", row.id))


def verify_key(*, session: Session, cipher: Cipher) -> int:
    """Decrypt one stored secret of each kind; raises SecretKeyError on a wrong key."""
    checked = 0
    key = session.scalar(select(IntegrationKey).limit(1))
    if key is not None:
        read_tokens(key=key, cipher=cipher)
        checked += 1
    secret = session.scalar(select(StoredSecret).limit(1))
    if secret is not None:
        cipher.decrypt(secret.value, context=_ctx("stored_secrets", "value", secret.id))
        checked += 1
    return checked


def reencrypt_all(*, session: Session, old: Cipher, new: Cipher) -> int:
    """Re-encrypt every stored secret from ``old`` to ``new``; the caller owns the transaction."""
    count = 0
    for key in session.scalars(select(IntegrationKey)):
        access, refresh = read_tokens(key=key, cipher=old)
        set_tokens(key=key, cipher=new, access_token=access, refresh_token=refresh)
        count += 1 + (refresh is not None)
    for row in session.scalars(select(StoredSecret)):
        value = old.decrypt(row.value, context=_ctx("stored_secrets", "value", row.id))
        row.value = new.encrypt(value, context=_ctx("stored_secrets", "value", row.id))
        count += 1
    session.flush()
    return count

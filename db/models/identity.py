"""Users, agents, credentials, accounts, roles, consent, sessions and audit (seed 003 s1, s7, s9)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, created_at_col, updated_at_col, uuid_pk
from db.enums import (
    AgentState,
    AuditOrigin,
    ConsentType,
    DeviceType,
    IntegrationStatus,
    SessionStatus,
    UserRoleName,
    UserStatus,
)
from db.types import (
    JSONType,
    PlatformName,
    PlatformType,
    StringList,
    UTCDateTime,
    enum_column,
    utcnow,
)


def _fk(target: str) -> Any:
    return ForeignKey(target, ondelete="CASCADE")


class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    role: Mapped[UserRoleName] = mapped_column(
        enum_column(UserRoleName, "user_role"), default=UserRoleName.creator
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_col()
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    preferences_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[UserStatus] = mapped_column(
        enum_column(UserStatus, "user_status"), default=UserStatus.active
    )

    agents: Mapped[list[Agent]] = relationship(back_populates="user", passive_deletes=True)


class Agent(Base):
    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="AI Twin Content Agent")
    state: Mapped[AgentState] = mapped_column(
        enum_column(AgentState, "agent_state"), default=AgentState.idle
    )
    capabilities_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    policy_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """Autonomy policy (see db.schemas.AgentPolicy): approval mode, posts per day, cooldown."""
    schedule_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    brand_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """Brand guidelines (see db.schemas.BrandGuidelines): voice rules, banned words, look."""
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()

    user: Mapped[User] = relationship(back_populates="agents")


class IntegrationKey(Base):
    __tablename__ = "integration_keys"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    platform: Mapped[PlatformName] = mapped_column(PlatformType())
    client_app_name: Mapped[str] = mapped_column(String(200), default="twin-agent")
    access_token: Mapped[str] = mapped_column(Text)
    """AES-GCM ciphertext (db.crypto); never plaintext."""
    refresh_token: Mapped[str | None] = mapped_column(Text)
    """AES-GCM ciphertext (db.crypto); never plaintext."""
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scopes: Mapped[list[str]] = mapped_column(StringList(), default=list)
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()
    status: Mapped[IntegrationStatus] = mapped_column(
        enum_column(IntegrationStatus, "integration_status"), default=IntegrationStatus.connected
    )


class SocialAccount(Base):
    __tablename__ = "social_accounts"
    __table_args__ = (UniqueConstraint("user_id", "platform", "account_external_id"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    integration_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("integration_keys.id", ondelete="SET NULL")
    )
    platform: Mapped[PlatformName] = mapped_column(PlatformType())
    handle: Mapped[str] = mapped_column(String(200), index=True)
    account_external_id: Mapped[str] = mapped_column(String(200), index=True)
    is_connected: Mapped[bool] = mapped_column(Boolean, default=True)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    auto_reply_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The creator lets replies the code chose go out without asking (seed 000 auto engagement)."""
    daily_reply_limit: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    """Most replies drafted and sent per day on this account (seed 000 automation limits)."""
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class PlatformRateLimit(Base):
    """Per-account rate-limit and daily-quota state (seeds 000/004), shared across processes."""

    __tablename__ = "platform_rate_limits"
    __table_args__ = (UniqueConstraint("account_id", "bucket"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("social_accounts.id"))
    bucket: Mapped[str] = mapped_column(String(64), default="publish")
    remaining: Mapped[int | None] = mapped_column(Integer)
    limit: Mapped[int | None] = mapped_column(Integer)
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_hit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    daily_quota_used: Mapped[int] = mapped_column(Integer, default=0)
    quota_day: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = updated_at_col()


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[UserRoleName] = mapped_column(enum_column(UserRoleName, "role_name"), unique=True)
    permissions_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role_id"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    role_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("roles.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConsentRecord(Base):
    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_user_type", "user_id", "consent_type"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"))
    consent_type: Mapped[ConsentType] = mapped_column(enum_column(ConsentType, "consent_type"))
    granted: Mapped[bool] = mapped_column(Boolean)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[str] = mapped_column(Text, default="")


class AppSession(Base):
    __tablename__ = "app_sessions"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    device_type: Mapped[DeviceType] = mapped_column(enum_column(DeviceType, "device_type"))
    device_info_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status"), default=SessionStatus.active
    )


class AuditLog(Base):
    """Security-relevant actions (seeds 002/004): who did what to which subject, when, from where.

    Written only through :func:`db.repo.audit.record`, which redacts secrets from the values.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_created_at", "action", "created_at"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    old_values_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    new_values_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """The action's details (new values); never a secret."""
    origin: Mapped[AuditOrigin] = mapped_column(
        enum_column(AuditOrigin, "audit_origin"), default=AuditOrigin.cli
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False, index=True
    )


class StoredSecret(Base):
    """An API key the user stored with ``twin secrets set`` (encrypted like tokens)."""

    __tablename__ = "stored_secrets"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()

"""Scripts, twins, voices, media, renders and reels (seed 003 s3 and s4)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, created_at_col, updated_at_col, uuid_pk
from db.enums import (
    ApprovalStatus,
    Aspect,
    AssetType,
    RenderStatus,
    ScriptStatus,
    StylePreset,
    Tone,
    TwinStatus,
    VoiceProvider,
)
from db.types import JSONType, StringList, UTCDateTime, enum_column


def _fk(target: str) -> Any:
    return ForeignKey(target, ondelete="CASCADE")


class Script(Base):
    __tablename__ = "scripts"
    __table_args__ = (UniqueConstraint("calendar_item_id", "revision"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    calendar_item_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), index=True)
    """The calendar item this script was written for (the item points back via script_id)."""
    revision: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    hook: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text)
    tone: Mapped[Tone] = mapped_column(enum_column(Tone, "tone"), default=Tone.educational)
    language: Mapped[str] = mapped_column(String(16), default="en")
    tags: Mapped[list[str]] = mapped_column(StringList(), default=list)
    platform_targets: Mapped[list[str]] = mapped_column(StringList(), default=list)
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()
    status: Mapped[ScriptStatus] = mapped_column(
        enum_column(ScriptStatus, "script_status"), default=ScriptStatus.draft
    )
    edit_history_json: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)


class VoiceProfile(Base):
    __tablename__ = "voice_profiles"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    provider: Mapped[VoiceProvider] = mapped_column(enum_column(VoiceProvider, "voice_provider"))
    name: Mapped[str] = mapped_column(String(200))
    voice_id_external: Mapped[str] = mapped_column(String(200), default="")
    is_cloned: Mapped[bool] = mapped_column(Boolean, default=False)
    """A clone of a real person's voice: needs voice_cloning consent."""
    settings_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Set when the profile may no longer speak (a cloned voice whose consent was revoked)."""
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class AITwin(Base):
    __tablename__ = "ai_twins"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    style_preset: Mapped[StylePreset] = mapped_column(enum_column(StylePreset, "style_preset"))
    voice_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("voice_profiles.id", ondelete="SET NULL")
    )
    config_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """Validated by db.schemas.TwinConfig: personality, appearance, backgrounds, attire."""
    uses_real_likeness: Mapped[bool] = mapped_column(Boolean, default=False)
    """Built from the creator's own photos or videos: needs likeness_modeling consent."""
    avatar_assets_folder: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()
    status: Mapped[TwinStatus] = mapped_column(
        enum_column(TwinStatus, "twin_status"), default=TwinStatus.active
    )


class MediaAsset(Base):
    __tablename__ = "media_assets"
    __table_args__ = (Index("ix_media_assets_created_at", "created_at"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    ai_twin_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("ai_twins.id", ondelete="SET NULL"), index=True
    )
    """The twin this file belongs to (its likeness photos and clips, or its own B-roll)."""
    type: Mapped[AssetType] = mapped_column(enum_column(AssetType, "asset_type"))
    uri: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(StringList(), default=list)
    """Words that say what the file shows; B-roll is picked by matching them to a script."""
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    resolution: Mapped[str | None] = mapped_column(String(32))
    codec: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    metadata_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class RenderJob(Base):
    __tablename__ = "render_jobs"
    __table_args__ = (
        UniqueConstraint("script_id", "target_aspect"),
        Index("ix_render_jobs_status_created_at", "status", "created_at"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    ai_twin_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("ai_twins.id"))
    script_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("scripts.id"))
    input_assets: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tts_voice_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("voice_profiles.id", ondelete="SET NULL")
    )
    target_aspect: Mapped[Aspect] = mapped_column(enum_column(Aspect, "aspect"))
    target_duration_sec: Mapped[int] = mapped_column(Integer, default=30)
    priority: Mapped[int] = mapped_column(Integer, default=5)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[RenderStatus] = mapped_column(
        enum_column(RenderStatus, "render_status"), default=RenderStatus.queued
    )
    progress_pct: Mapped[float] = mapped_column(Float, default=0.0)
    output_asset_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("media_assets.id", ondelete="SET NULL")
    )
    error_json: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class VideoReel(Base):
    __tablename__ = "video_reels"
    __table_args__ = (
        Index("ix_video_reels_approval_status_created_at", "approval_status", "created_at"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    render_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("render_jobs.id"), unique=True)
    calendar_item_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("calendar_items.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    caption_text: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(StringList(), default=list)
    platform_captions_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """Per platform: {"caption": str, "hashtags": [str]} within that platform's limits."""
    length_sec: Mapped[int] = mapped_column(Integer)
    aspect_ratio: Mapped[Aspect] = mapped_column(enum_column(Aspect, "aspect"))
    quality_score: Mapped[float | None] = mapped_column(Float)
    quality_checks_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    synthetic_media: Mapped[bool] = mapped_column(Boolean, default=True)
    storage_uri: Mapped[str] = mapped_column(Text)
    thumbnail_asset_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("media_assets.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()
    approval_status: Mapped[ApprovalStatus] = mapped_column(
        enum_column(ApprovalStatus, "approval_status"), default=ApprovalStatus.pending
    )
    review_note: Mapped[str] = mapped_column(Text, default="")

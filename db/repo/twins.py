"""Editing twins and voice profiles: the writes behind ``twin twins`` and ``twin voices``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import StylePreset, TwinStatus, VoiceProvider
from db.models import AITwin, VoiceProfile
from db.repo.identity import NotFoundError
from db.schemas import TwinConfig

_UNSET: Any = object()


def twin_config(twin: AITwin) -> TwinConfig:
    """The twin's validated config (personality, appearance, palette)."""
    return TwinConfig.model_validate(twin.config_json or {})


def get_twin(
    *, session: Session, user_id: uuid.UUID, name: str, include_archived: bool = False
) -> AITwin:
    """The user's twin with this name (any case).

    Raises:
        NotFoundError: No such twin; the message lists the twins there are.
    """
    stmt = select(AITwin).where(AITwin.user_id == user_id).order_by(AITwin.created_at)
    twins = list(session.scalars(stmt))
    for twin in twins:
        if twin.name.lower() == name.strip().lower() and (
            include_archived or twin.status == TwinStatus.active
        ):
            return twin
    names = ", ".join(t.name for t in twins if t.status == TwinStatus.active) or "none"
    raise NotFoundError(f"no twin named {name!r}; twins: {names}")


def update_twin(
    *,
    session: Session,
    twin: AITwin,
    name: str | None = None,
    style_preset: StylePreset | None = None,
    config: TwinConfig | None = None,
    voice_profile_id: uuid.UUID | None = _UNSET,
    avatar_assets_folder: str | None = None,
    uses_real_likeness: bool | None = None,
    status: TwinStatus | None = None,
) -> AITwin:
    """Change the given fields of ``twin``; ``None`` leaves a field as it is."""
    if name is not None:
        twin.name = name
    if style_preset is not None:
        twin.style_preset = style_preset
    if config is not None:
        twin.config_json = config.model_dump(mode="json")
    if voice_profile_id is not _UNSET:
        twin.voice_profile_id = voice_profile_id
    if avatar_assets_folder is not None:
        twin.avatar_assets_folder = avatar_assets_folder
    if uses_real_likeness is not None:
        twin.uses_real_likeness = uses_real_likeness
    if status is not None:
        twin.status = status
    session.flush()
    return twin


def list_voice_profiles(*, session: Session, user_id: uuid.UUID) -> list[VoiceProfile]:
    stmt = (
        select(VoiceProfile)
        .where(VoiceProfile.user_id == user_id)
        .order_by(VoiceProfile.created_at, VoiceProfile.name)
    )
    return list(session.scalars(stmt))


def get_voice_profile(*, session: Session, user_id: uuid.UUID, name: str) -> VoiceProfile:
    """The user's voice profile with this name (any case).

    Raises:
        NotFoundError: No such profile; the message lists the profiles there are.
    """
    profiles = list_voice_profiles(session=session, user_id=user_id)
    for profile in profiles:
        if profile.name.lower() == name.strip().lower():
            return profile
    names = ", ".join(p.name for p in profiles) or "none"
    raise NotFoundError(f"no voice named {name!r}; voices: {names}")


def update_voice_profile(
    *,
    session: Session,
    profile: VoiceProfile,
    provider: VoiceProvider | None = None,
    voice_id_external: str | None = None,
    settings: dict[str, Any] | None = None,
) -> VoiceProfile:
    """Change the given fields of ``profile``; ``None`` leaves a field as it is."""
    if provider is not None:
        profile.provider = provider
    if voice_id_external is not None:
        profile.voice_id_external = voice_id_external
    if settings is not None:
        profile.settings_json = dict(settings)
    session.flush()
    return profile


def twins_speaking_with(*, session: Session, profile_id: uuid.UUID) -> list[AITwin]:
    return list(
        session.scalars(
            select(AITwin).where(AITwin.voice_profile_id == profile_id).order_by(AITwin.name)
        )
    )


def disable_voice_profile(
    *, session: Session, profile: VoiceProfile, at: datetime, forget_remote_id: bool
) -> list[AITwin]:
    """Stop a profile from speaking: mark it disabled and take it off every twin using it.

    Args:
        session: Open session; the caller commits.
        profile: The profile to disable.
        at: When (aware).
        forget_remote_id: Clear ``voice_id_external`` (its remote voice is gone).

    Returns:
        The twins that spoke with it and now have no voice (they fall back to the offline one).
    """
    if profile.disabled_at is None:
        profile.disabled_at = at
    if forget_remote_id:
        profile.voice_id_external = ""
    twins = twins_speaking_with(session=session, profile_id=profile.id)
    for twin in twins:
        twin.voice_profile_id = None
    session.flush()
    return twins

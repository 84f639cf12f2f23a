"""Recording a consent change and what revoking it undoes (cloned voices, the real likeness)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AuditOrigin, ConsentType, TwinStatus
from db.models import AITwin, VoiceProfile
from db.repo import audit
from db.repo.identity import record_consent
from db.repo.twins import disable_voice_profile, update_twin
from tools.tts.base import TTSError
from tools.tts.elevenlabs_voices import ElevenLabsVoices

VoicesClient = Callable[[], ElevenLabsVoices]
"""Builds the ElevenLabs client when a remote voice must be deleted (raises TTSError without a key)."""


class ConsentChange(BaseModel):
    """What a consent change did."""

    consent_type: ConsentType
    granted: bool
    disabled_voices: list[str] = Field(default_factory=list)
    """Cloned voice profiles that may no longer speak."""
    deleted_remote: list[str] = Field(default_factory=list)
    """Remote voice ids deleted from ElevenLabs."""
    pending_remote: list[str] = Field(default_factory=list)
    """Profiles whose remote voice could not be deleted yet (revoke again to retry)."""
    likeness_off: list[str] = Field(default_factory=list)
    """Twins that stopped using the creator's likeness."""
    warnings: list[str] = Field(default_factory=list)


def change_consent(
    *,
    session: Session,
    user_id: uuid.UUID,
    actor: str,
    consent_type: ConsentType,
    granted: bool,
    details: str,
    voices: VoicesClient | None = None,
    now: datetime | None = None,
    origin: AuditOrigin = AuditOrigin.cli,
) -> ConsentChange:
    """Record a grant or revocation, audit it, and on revocation stop what relied on it.

    Revoking ``voice_cloning`` disables every cloned voice profile of the user, takes it off
    its twins, and deletes its voice from ElevenLabs (a failed delete is reported and retried
    by revoking again). Revoking ``likeness_modeling`` turns the real likeness off on every
    twin; the photos and clips stay until the user deletes their data.
    """
    at = now or datetime.now(UTC)
    row = record_consent(
        session=session,
        user_id=user_id,
        consent_type=consent_type,
        granted=granted,
        details=details,
    )
    change = ConsentChange(consent_type=consent_type, granted=granted)
    if not granted and consent_type == ConsentType.voice_cloning:
        _stop_cloned_voices(session, user_id, at, voices, change)
    if not granted and consent_type == ConsentType.likeness_modeling:
        twins = session.scalars(
            select(AITwin).where(AITwin.user_id == user_id, AITwin.uses_real_likeness.is_(True))
        )
        for twin in twins:
            update_twin(session=session, twin=twin, uses_real_likeness=False)
            if twin.status == TwinStatus.active:
                change.likeness_off.append(twin.name)
    audit.record(
        session=session,
        actor=actor,
        action="consent.grant" if granted else "consent.revoke",
        subject_type="consent",
        subject_id=row.id,
        origin=origin,
        details={
            "type": consent_type.value,
            "granted": granted,
            "disabled_voices": change.disabled_voices,
            "deleted_remote_voices": change.deleted_remote,
            "likeness_off": change.likeness_off,
        },
        user_id=user_id,
        at=at,
    )
    session.flush()
    return change


def _stop_cloned_voices(
    session: Session,
    user_id: uuid.UUID,
    at: datetime,
    voices: VoicesClient | None,
    change: ConsentChange,
) -> None:
    profiles = session.scalars(
        select(VoiceProfile)
        .where(VoiceProfile.user_id == user_id, VoiceProfile.is_cloned.is_(True))
        .order_by(VoiceProfile.name)
    )
    client: ElevenLabsVoices | None = None
    for profile in profiles:
        remote = profile.voice_id_external if profile.provider.value == "elevenlabs" else ""
        deleted = not remote
        if remote:
            try:
                if client is None:
                    if voices is None:
                        raise TTSError("no ElevenLabs client is configured")
                    client = voices()
                client.delete_voice(remote)
                deleted = True
                change.deleted_remote.append(remote)
            except TTSError as exc:
                change.pending_remote.append(profile.name)
                change.warnings.append(
                    f"the ElevenLabs voice of {profile.name!r} could not be deleted ({exc}); "
                    "it no longer speaks here: revoke again to retry the deletion"
                )
        if profile.disabled_at is None:
            change.disabled_voices.append(profile.name)
        disable_voice_profile(session=session, profile=profile, at=at, forget_remote_id=deleted)

"""Consent gates for voices and likenesses (seed 003 sections 9.3 and 15)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.enums import ConsentType
from db.models import AITwin, VoiceProfile
from db.repo.identity import has_consent


class ConsentRequiredError(RuntimeError):
    """A render needs consent that the user has not granted (or has revoked)."""


def check_render_consent(*, session: Session, twin: AITwin, voice: VoiceProfile | None) -> None:
    if (
        voice is not None
        and voice.is_cloned
        and not has_consent(
            session=session, user_id=twin.user_id, consent_type=ConsentType.voice_cloning
        )
    ):
        raise ConsentRequiredError(
            f"voice '{voice.name}' is a cloned voice and voice_cloning consent is not granted: "
            "run 'twin consent grant --type voice_cloning' to allow it"
        )
    if twin.uses_real_likeness and not has_consent(
        session=session, user_id=twin.user_id, consent_type=ConsentType.likeness_modeling
    ):
        raise ConsentRequiredError(
            f"twin '{twin.name}' is built from your own photos or videos and likeness_modeling "
            "consent is not granted: run 'twin consent grant --type likeness_modeling' to allow it"
        )

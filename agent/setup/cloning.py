"""Cloning the creator's voice with ElevenLabs, behind voice_cloning consent."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from agent.setup.errors import SetupError
from agent.setup.media import probe
from db.enums import ConsentType, VoiceProvider
from db.models import AuditLog, VoiceProfile
from db.repo.identity import create_voice_profile, has_consent
from db.repo.twins import list_voice_profiles
from tools.tts.base import TTSError
from tools.tts.elevenlabs_voices import ElevenLabsVoices


def clone_voice(
    *,
    session: Session,
    user_id: uuid.UUID,
    actor: str,
    name: str,
    samples: list[Path],
    client: ElevenLabsVoices | None,
    description: str = "",
    remove_background_noise: bool = False,
) -> VoiceProfile:
    """Create an ElevenLabs clone from the samples and a cloned voice profile that speaks with it.

    The samples are sent to ElevenLabs and not kept here.

    Raises:
        SetupError: No voice_cloning consent, a name in use, a sample that is not audio,
            no ElevenLabs key, or ElevenLabs refused; one line that says what to do.
    """
    clean = " ".join(name.split())
    if not clean:
        raise SetupError("a voice needs a name")
    if not has_consent(session=session, user_id=user_id, consent_type=ConsentType.voice_cloning):
        raise SetupError(
            "cloning your voice needs voice_cloning consent: run "
            "'twin consent grant --type voice_cloning' first"
        )
    if any(
        p.name.lower() == clean.lower()
        for p in list_voice_profiles(session=session, user_id=user_id)
    ):
        raise SetupError(f"a voice named {clean!r} exists already")
    if not samples:
        raise SetupError("give at least one --samples FILE of you speaking")
    for sample in samples:
        try:
            probe(Path(sample), allowed={"audio"})
        except SetupError as exc:
            raise SetupError(f"--samples: {exc}") from None
    if client is None:
        raise SetupError(
            "cloning needs an ElevenLabs API key: set TWIN_ELEVENLABS_API_KEY or run "
            "'twin secrets set elevenlabs_api_key'"
        )
    try:
        cloned = client.add_voice(
            name=clean,
            samples=[Path(s) for s in samples],
            description=description,
            remove_background_noise=remove_background_noise,
        )
    except TTSError as exc:
        raise SetupError(str(exc)) from None
    profile = create_voice_profile(
        session=session,
        user_id=user_id,
        name=clean,
        provider=VoiceProvider.elevenlabs,
        voice_id_external=cloned.voice_id,
        settings={},
        is_cloned=True,
    )
    session.add(
        AuditLog(
            user_id=user_id,
            actor=actor,
            action="voice_cloned",
            subject_type="voice_profile",
            subject_id=str(profile.id),
            new_values_json={
                "voice_id": cloned.voice_id,
                "samples": len(samples),
                "requires_verification": cloned.requires_verification,
            },
        )
    )
    session.flush()
    return profile

"""Voice profiles: add, edit, choose for a twin, preview; the ElevenLabs key and clients."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from agent.app.resources import Resources
from agent.settings import Settings
from agent.setup.errors import SetupError
from db.crypto import Cipher, SecretKeyError
from db.enums import VoiceProvider
from db.models import AITwin, VoiceProfile
from db.repo import twins as repo
from db.repo.identity import create_voice_profile
from db.repo.secrets import get_stored_secret
from tools.tts.base import SpeechResult, TTSError, VoiceSpec
from tools.tts.elevenlabs_voices import ElevenLabsVoices
from tools.tts.voice_checks import check_voice

ENGINES = {"espeak": VoiceProvider.espeak, "elevenlabs": VoiceProvider.elevenlabs}
STORED_KEY_NAME = "elevenlabs_api_key"
"""The name ``twin secrets set`` stores the ElevenLabs key under."""
PREVIEW_TEXT = "Hi, this is how your twin sounds with this voice."


def parse_settings(pairs: list[str]) -> dict[str, Any]:
    """``["speed=1.1", "use_speaker_boost=true"]`` -> ``{"speed": 1.1, "use_speaker_boost": True}``.

    Raises:
        SetupError: A pair without ``=``.
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key:
            raise SetupError(f"--setting {pair!r}: use NAME=VALUE, e.g. speed=1.1")
        lowered = raw.lower()
        value: Any
        if lowered in ("true", "yes", "on"):
            value = True
        elif lowered in ("false", "no", "off"):
            value = False
        else:
            try:
                value = float(raw) if any(c in raw for c in ".eE") else int(raw)
            except ValueError:
                value = raw
        out[key] = value
    return out


def engine_of(name: str) -> VoiceProvider:
    try:
        return ENGINES[name.strip().lower()]
    except KeyError:
        raise SetupError(f"--engine: unknown engine {name!r}: use espeak or elevenlabs") from None


def spec_of(profile: VoiceProfile) -> VoiceSpec:
    return VoiceSpec(
        provider=profile.provider.value,
        voice_id=profile.voice_id_external,
        settings=profile.settings_json or {},
        cloned=profile.is_cloned,
    )


def _checked(provider: VoiceProvider, voice_id: str, settings: dict[str, Any]) -> None:
    try:
        check_voice(VoiceSpec(provider=provider.value, voice_id=voice_id, settings=settings))
    except TTSError as exc:
        raise SetupError(str(exc)) from None


def add_voice(
    *,
    session: Session,
    user_id: uuid.UUID,
    name: str,
    engine: str,
    voice_id: str = "",
    settings: dict[str, Any] | None = None,
) -> VoiceProfile:
    """A new voice profile, checked before it is saved."""
    clean = " ".join(name.split())
    if not clean:
        raise SetupError("a voice needs a name")
    if any(
        p.name.lower() == clean.lower()
        for p in repo.list_voice_profiles(session=session, user_id=user_id)
    ):
        raise SetupError(f"a voice named {clean!r} exists already")
    provider = engine_of(engine)
    _checked(provider, voice_id.strip(), settings or {})
    return create_voice_profile(
        session=session,
        user_id=user_id,
        name=clean,
        provider=provider,
        voice_id_external=voice_id.strip(),
        settings=settings or {},
    )


def edit_voice(
    *,
    session: Session,
    user_id: uuid.UUID,
    name: str,
    engine: str | None = None,
    voice_id: str | None = None,
    settings: dict[str, Any] | None = None,
) -> VoiceProfile:
    """Change a profile's engine, voice id or settings (settings merge over the current ones)."""
    profile = repo.get_voice_profile(session=session, user_id=user_id, name=name)
    if profile.is_cloned and (engine is not None or voice_id is not None):
        raise SetupError(f"{profile.name!r} is a cloned voice: only its settings can change")
    provider = engine_of(engine) if engine is not None else profile.provider
    new_id = voice_id.strip() if voice_id is not None else profile.voice_id_external
    merged = {**(profile.settings_json or {}), **(settings or {})}
    _checked(provider, new_id, merged)
    return repo.update_voice_profile(
        session=session,
        profile=profile,
        provider=provider,
        voice_id_external=new_id,
        settings=merged,
    )


def use_voice(*, session: Session, user_id: uuid.UUID, name: str, twin: AITwin) -> VoiceProfile:
    """Make ``twin`` speak with the profile ``name``."""
    profile = repo.get_voice_profile(session=session, user_id=user_id, name=name)
    if profile.disabled_at is not None:
        raise SetupError(f"voice {profile.name!r} is disabled (its consent was revoked)")
    repo.update_twin(session=session, twin=twin, voice_profile_id=profile.id)
    return profile


def voice_view(session: Session, profile: VoiceProfile) -> dict[str, Any]:
    twins = repo.twins_speaking_with(session=session, profile_id=profile.id)
    return {
        "id": str(profile.id),
        "name": profile.name,
        "engine": profile.provider.value,
        "voice_id": profile.voice_id_external,
        "settings": profile.settings_json or {},
        "cloned": profile.is_cloned,
        "disabled": profile.disabled_at is not None,
        "twins": [t.name for t in twins],
    }


def elevenlabs_key(
    *, settings: Settings, session: Session, cipher: Cipher | None, user_id: uuid.UUID
) -> str | None:
    """``TWIN_ELEVENLABS_API_KEY``, else the key stored with ``twin secrets set elevenlabs_api_key``."""
    if settings.elevenlabs_api_key is not None:
        return settings.elevenlabs_api_key.get_secret_value() or None
    if cipher is None:
        return None
    return get_stored_secret(session=session, cipher=cipher, user_id=user_id, name=STORED_KEY_NAME)


def system_key(system: Resources, session: Session, user_id: uuid.UUID) -> str | None:
    """The ElevenLabs key for this system (environment first, then the stored secret)."""
    try:
        cipher: Cipher | None = system.cipher()
    except SecretKeyError:  # no key file yet: only the environment can hold the key
        cipher = None
    return elevenlabs_key(settings=system.settings, session=session, cipher=cipher, user_id=user_id)


def voices_client_for(
    system: Resources, session: Session, user_id: uuid.UUID
) -> Callable[[], ElevenLabsVoices]:
    """Builds the ElevenLabs voices client on first need (TTSError without a key)."""

    def build() -> ElevenLabsVoices:
        return ElevenLabsVoices(
            api_key=system_key(system, session, user_id),
            base_url=system.settings.elevenlabs_base_url,
        )

    return build


def speak_preview(
    *,
    settings: Settings,
    voice: VoiceSpec,
    out_path: Path,
    api_key: str | None,
    language: str = "en",
    text: str = PREVIEW_TEXT,
) -> SpeechResult:
    """Speak one sentence with ``voice`` into a WAV at ``out_path``.

    Raises:
        SetupError: The engine refused (no key, unknown voice, bad settings ...).
    """
    from tools.tts import get_engine, synthesize

    try:
        engine = (
            get_engine("elevenlabs", api_key=api_key, base_url=settings.elevenlabs_base_url)
            if voice.provider == "elevenlabs"
            else get_engine(voice.provider)
        )
        return synthesize(text, language=language, voice=voice, out_path=out_path, engine=engine)
    except TTSError as exc:
        raise SetupError(f"preview failed: {exc}") from None

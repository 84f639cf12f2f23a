"""Adding, editing and removing twins: the one place the CLI and the web page go through."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from agent.app.avatars import ensure_avatar
from agent.settings import Settings
from agent.setup.errors import SetupError, one_line
from db.enums import StylePreset, TwinStatus
from db.models import AITwin, VoiceProfile
from db.repo import assets as asset_repo
from db.repo import twins as repo
from db.repo.identity import create_twin, list_twins
from db.schemas import TwinConfig

LABELS = {"palette": "--palette", "traits": "--traits", "catchphrases": "--catchphrases"}
APPEARANCE = ("hair", "eyes", "skin_tone", "attire", "background", "lighting")


class TwinChanges(BaseModel):
    """Fields to set on a twin; ``None`` leaves one as it is."""

    style: StylePreset | None = None
    traits: list[str] | None = None
    humor: Literal["none", "light", "playful"] | None = None
    formality: Literal["casual", "neutral", "formal"] | None = None
    catchphrases: list[str] | None = None
    hair: str | None = None
    eyes: str | None = None
    skin_tone: str | None = None
    attire: str | None = None
    background: str | None = None
    lighting: str | None = None
    palette: list[str] | None = None
    voice: str | None = None
    """A voice profile's name; empty for the offline default voice."""
    avatar_folder: str | None = None
    status: TwinStatus | None = None


def split_list(value: str | None) -> list[str] | None:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; None stays None (not given)."""
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise SetupError("a twin needs a name")
    if len(clean) > 200:
        raise SetupError("a twin's name can have at most 200 characters")
    return clean


def _config(current: TwinConfig, changes: TwinChanges) -> TwinConfig:
    data = current.model_dump(mode="json")
    for key in ("traits", "humor", "formality", "catchphrases"):
        value = getattr(changes, key)
        if value is not None:
            data["personality"][key] = value
    for key in APPEARANCE:
        value = getattr(changes, key)
        if value is not None:
            data["appearance"][key] = value.strip()
    if changes.palette is not None:
        data["palette"] = changes.palette
    try:
        return TwinConfig.model_validate(data)
    except ValidationError as exc:
        raise SetupError(one_line(exc, LABELS)) from None


def _voice(session: Session, user_id: uuid.UUID, name: str | None) -> VoiceProfile | None:
    if not name:
        return None
    profile = repo.get_voice_profile(session=session, user_id=user_id, name=name)
    if profile.disabled_at is not None:
        raise SetupError(f"voice {profile.name!r} is disabled (its consent was revoked)")
    return profile


def _folder(value: str) -> str:
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise SetupError(f"--avatar-folder: {path} is a file, not a folder")
    return str(path.resolve())


def add_twin(
    *, session: Session, settings: Settings, user_id: uuid.UUID, name: str, changes: TwinChanges
) -> AITwin:
    """Create a twin (style ``custom`` unless given) with a starter avatar."""
    name = _check_name(name)
    for twin in list_twins(session=session, user_id=user_id, active_only=False):
        if twin.name.lower() == name.lower():
            hint = (
                f"bring it back with 'twin twins edit {twin.name!r} --status active'"
                if twin.status == TwinStatus.archived
                else "edit it with 'twin twins edit'"
            )
            raise SetupError(f"a twin named {twin.name!r} exists already: {hint}")
    config = _config(TwinConfig(), changes)
    voice = _voice(session, user_id, changes.voice)
    style = changes.style or StylePreset.custom
    folder = (
        _folder(changes.avatar_folder)
        if changes.avatar_folder
        else str(settings.data_dir / "twins" / (re.sub(r"[^a-z0-9]+", "-", name.lower()) or "twin"))
    )
    twin = create_twin(
        session=session,
        user_id=user_id,
        name=name,
        style_preset=style,
        voice_profile_id=voice.id if voice else None,
        config=config,
        avatar_assets_folder=folder,
    )
    ensure_avatar(Path(folder), style.value)
    return twin


def edit_twin(
    *,
    session: Session,
    user_id: uuid.UUID,
    name: str,
    changes: TwinChanges,
    new_name: str | None = None,
) -> AITwin:
    """Change a twin's fields; archived twins can be edited (and brought back with status)."""
    twin = repo.get_twin(session=session, user_id=user_id, name=name, include_archived=True)
    if new_name is not None:
        new_name = _check_name(new_name)
        others = list_twins(session=session, user_id=user_id, active_only=False)
        if any(t.id != twin.id and t.name.lower() == new_name.lower() for t in others):
            raise SetupError(f"a twin named {new_name!r} exists already")
    config = _config(repo.twin_config(twin), changes)
    extra: dict[str, Any] = {}
    if changes.voice is not None:
        voice = _voice(session, user_id, changes.voice)
        extra["voice_profile_id"] = voice.id if voice else None
    if changes.status == TwinStatus.archived and twin.status == TwinStatus.active:
        _refuse_last(session, user_id, twin)
    return repo.update_twin(
        session=session,
        twin=twin,
        name=new_name,
        style_preset=changes.style,
        config=config,
        avatar_assets_folder=_folder(changes.avatar_folder) if changes.avatar_folder else None,
        status=changes.status,
        **extra,
    )


def _refuse_last(session: Session, user_id: uuid.UUID, twin: AITwin) -> None:
    active = list_twins(session=session, user_id=user_id)
    if [t.id for t in active] == [twin.id]:
        raise SetupError(
            f"{twin.name!r} is the only active twin and the weekly plan needs one: add another first"
        )


def remove_twin(*, session: Session, user_id: uuid.UUID, name: str) -> AITwin:
    """Archive a twin: planning stops choosing it; its reels, posts and files stay."""
    twin = repo.get_twin(session=session, user_id=user_id, name=name)
    _refuse_last(session, user_id, twin)
    return repo.update_twin(session=session, twin=twin, status=TwinStatus.archived)


def twin_view(session: Session, twin: AITwin) -> dict[str, Any]:
    """Everything about a twin, as JSON-ready values."""
    config = repo.twin_config(twin)
    voice = session.get(VoiceProfile, twin.voice_profile_id) if twin.voice_profile_id else None
    likeness = asset_repo.likeness_assets(session=session, twin_id=twin.id)
    return {
        "id": str(twin.id),
        "name": twin.name,
        "style": twin.style_preset.value,
        "status": twin.status.value,
        "voice": voice.name if voice else None,
        "personality": config.personality.model_dump(mode="json"),
        "appearance": config.appearance.model_dump(mode="json"),
        "palette": config.palette,
        "uses_real_likeness": twin.uses_real_likeness,
        "likeness_files": [a.uri for a in likeness],
        "avatar_folder": twin.avatar_assets_folder,
    }

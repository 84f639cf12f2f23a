"""The creator's own photos and clips as the twin's likeness, behind likeness_modeling consent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from agent.settings import Settings
from agent.setup.errors import SetupError
from agent.setup.media import MediaProbe, probe, store_copy
from db.enums import AssetType, ConsentType
from db.models import AITwin, MediaAsset
from db.repo import assets as asset_repo
from db.repo.identity import has_consent
from db.repo.twins import update_twin


def likeness_folder(settings: Settings, twin: AITwin) -> Path:
    return settings.media_dir / "twins" / str(twin.id)[:8] / "likeness"


def add_likeness(
    *,
    session: Session,
    settings: Settings,
    twin: AITwin,
    photos: list[Path],
    clips: list[Path],
) -> list[MediaAsset]:
    """Store photos and clips of the creator for ``twin`` and turn its real likeness on.

    With no file given, turns the likeness back on from the files stored before.

    Raises:
        SetupError: No likeness_modeling consent, a file that is not a photo or clip, or
            nothing to use.
    """
    if not has_consent(
        session=session, user_id=twin.user_id, consent_type=ConsentType.likeness_modeling
    ):
        raise SetupError(
            f"twin {twin.name!r} can use your own photos and clips only with likeness_modeling "
            "consent: run 'twin consent grant --type likeness_modeling' first"
        )
    probed: list[tuple[Path, MediaProbe]] = [
        (Path(p), probe(Path(p), allowed={"photo"})) for p in photos
    ]
    probed += [(Path(c), probe(Path(c), allowed={"video"})) for c in clips]
    stored = [
        a
        for a in asset_repo.likeness_assets(session=session, twin_id=twin.id)
        if Path(a.uri).is_file()
    ]
    if not probed and not stored:
        raise SetupError("give at least one --photo FILE or --clip FILE of yourself")
    folder = likeness_folder(settings, twin)
    added = []
    for source, found in probed:
        target = store_copy(source, folder)
        added.append(
            asset_repo.add_media_asset(
                session=session,
                user_id=twin.user_id,
                ai_twin_id=twin.id,
                type=AssetType.raw_photo if found.kind == "photo" else AssetType.raw_video,
                uri=str(target),
                role=asset_repo.ROLE_LIKENESS,
                resolution=found.resolution,
                duration_ms=found.duration_ms,
                codec=found.codec,
                size_bytes=found.size_bytes,
                metadata={"original_name": source.name},
            )
        )
    update_twin(session=session, twin=twin, uses_real_likeness=True)
    return added

"""The creator's own B-roll: photos and clips with tags, copied under the media folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from agent.settings import Settings
from agent.setup.errors import SetupError
from agent.setup.media import probe, store_copy
from db.enums import AssetType
from db.models import AITwin, MediaAsset
from db.repo import assets as asset_repo

_TAG = re.compile(r"^[\w][\w '\-]{0,48}$")


def clean_tags(raw: list[str]) -> list[str]:
    """Lower-case, stripped, unique tags.

    Raises:
        SetupError: None given, or a tag with odd characters or over 49 characters.
    """
    tags: list[str] = []
    for tag in raw:
        tag = " ".join(tag.lower().split())
        if not tag:
            continue
        if not _TAG.match(tag):
            raise SetupError(f"--tags: {tag!r} is not a tag: use letters, digits, spaces or -")
        if tag not in tags:
            tags.append(tag)
    if not tags:
        raise SetupError("--tags: give at least one tag that says what the file shows")
    return tags


def add_asset(
    *,
    session: Session,
    settings: Settings,
    user_id: Any,
    path: Path,
    tags: list[str],
    twin: AITwin | None = None,
    description: str = "",
) -> MediaAsset:
    """Probe a photo or clip, copy it under ``media/assets`` and record it as B-roll.

    Raises:
        SetupError: Not a photo or video, missing, or bad tags.
    """
    clean = clean_tags(tags)
    found = probe(Path(path), allowed={"photo", "video"})
    target = store_copy(Path(path), settings.media_dir / "assets")
    return asset_repo.add_media_asset(
        session=session,
        user_id=user_id,
        ai_twin_id=twin.id if twin else None,
        type=AssetType.raw_photo if found.kind == "photo" else AssetType.raw_video,
        uri=str(target),
        role=asset_repo.ROLE_BROLL,
        tags=clean,
        resolution=found.resolution,
        duration_ms=found.duration_ms,
        codec=found.codec,
        size_bytes=found.size_bytes,
        metadata={"original_name": Path(path).name, "description": description.strip()},
    )


def asset_view(asset: MediaAsset, twin_names: dict[Any, str]) -> dict[str, Any]:
    meta = asset.metadata_json or {}
    return {
        "id": str(asset.id),
        "role": meta.get("role", ""),
        "type": asset.type.value,
        "path": asset.uri,
        "exists": Path(asset.uri).is_file(),
        "tags": list(asset.tags),
        "twin": twin_names.get(asset.ai_twin_id) if asset.ai_twin_id else None,
        "resolution": asset.resolution,
        "duration_ms": asset.duration_ms,
        "size_bytes": asset.size_bytes,
        "original_name": meta.get("original_name", ""),
    }

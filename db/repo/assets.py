"""The creator's own media: likeness photos and clips, B-roll, brand files."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AssetType
from db.models import MediaAsset

ROLE_LIKENESS = "likeness"
"""``metadata_json["role"]`` of a photo or clip of the creator that the twin is built from."""
ROLE_BROLL = "broll"
"""``metadata_json["role"]`` of a photo or clip to cut into reels."""
ROLE_BRAND = "brand"
"""``metadata_json["role"]`` of a brand file (logo, font)."""


def add_media_asset(
    *,
    session: Session,
    user_id: uuid.UUID,
    type: AssetType,
    uri: str,
    role: str,
    ai_twin_id: uuid.UUID | None = None,
    tags: list[str] | None = None,
    duration_ms: int | None = None,
    resolution: str | None = None,
    codec: str | None = None,
    size_bytes: int | None = None,
    metadata: dict[str, Any] | None = None,
) -> MediaAsset:
    asset = MediaAsset(
        user_id=user_id,
        ai_twin_id=ai_twin_id,
        type=type,
        uri=uri,
        tags=list(tags or []),
        duration_ms=duration_ms,
        resolution=resolution,
        codec=codec,
        size_bytes=size_bytes,
        metadata_json={**(metadata or {}), "role": role},
    )
    session.add(asset)
    session.flush()
    return asset


def list_media_assets(
    *,
    session: Session,
    user_id: uuid.UUID,
    role: str | None = None,
    ai_twin_id: uuid.UUID | None = None,
) -> list[MediaAsset]:
    """The user's assets, oldest first, optionally of one role and one twin."""
    stmt = select(MediaAsset).where(MediaAsset.user_id == user_id)
    if ai_twin_id is not None:
        stmt = stmt.where(MediaAsset.ai_twin_id == ai_twin_id)
    rows = list(session.scalars(stmt.order_by(MediaAsset.created_at, MediaAsset.id)))
    if role is not None:  # JSON path queries differ per backend; the lists are short
        rows = [r for r in rows if (r.metadata_json or {}).get("role") == role]
    return rows


def likeness_assets(*, session: Session, twin_id: uuid.UUID) -> list[MediaAsset]:
    """The twin's likeness photos and clips, newest first."""
    rows = session.scalars(
        select(MediaAsset)
        .where(MediaAsset.ai_twin_id == twin_id)
        .order_by(MediaAsset.created_at.desc(), MediaAsset.id)
    )
    return [r for r in rows if (r.metadata_json or {}).get("role") == ROLE_LIKENESS]

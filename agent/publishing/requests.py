"""What the adapters receive for a Post: the publish request and the account reference."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from db.models import AITwin, CalendarItem, MediaAsset, Post, SocialAccount, VideoReel

__all__ = ["account_ref", "publish_request"]

from tools.publish.base import AccountRef, PublishRequest
from tools.render.aspects import preferred_aspect


def account_ref(account: SocialAccount) -> AccountRef:
    """The adapter's view of a social account."""
    return AccountRef(
        account_id=str(account.id),
        platform=account.platform.value,
        handle=account.handle,
        external_id=account.account_external_id,
    )


def media_for(reel: VideoReel, platform: str, overrides: Mapping[str, str] | None = None) -> Path:
    """The reel's file in the shape ``platform`` prefers (the main render when there is none)."""
    renditions = dict((reel.quality_checks_json or {}).get("renditions") or {})
    chosen = renditions.get(preferred_aspect(platform, overrides))
    return Path(chosen) if chosen and Path(chosen).is_file() else Path(reel.storage_uri)


def publish_request(
    session: Session, post: Post, reel: VideoReel, overrides: Mapping[str, str] | None = None
) -> PublishRequest:
    """The request for ``post``; its idempotency key is the post's, persisted before any call."""
    item = session.get(CalendarItem, reel.calendar_item_id) if reel.calendar_item_id else None
    twin = session.get(AITwin, item.ai_twin_id) if item and item.ai_twin_id else None
    thumb = session.get(MediaAsset, reel.thumbnail_asset_id) if reel.thumbnail_asset_id else None
    meta = {
        "platform": post.platform.value,
        "pillar": item.content_pillar.value if item else "",
        "topic": item.topic if item else reel.title,
        "tone": item.tone.value if item else "",
        "hook": item.hook if item else "",
        "hook_category": item.hook_category if item else "",
        "length_sec": str(reel.length_sec),
        "twin_style": twin.style_preset.value if twin else "",
    }
    return PublishRequest(
        media_path=media_for(reel, str(post.platform), overrides),
        caption=post.caption,
        hashtags=list(post.hashtags),
        title=reel.title,
        thumbnail_path=Path(thumb.uri) if thumb else None,
        idempotency_key=post.idempotency_key,
        synthetic_media=reel.synthetic_media,
        meta={k: v for k, v in meta.items() if v},
    )

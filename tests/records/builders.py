"""Rows and files for retention tests: reels at chosen ages with their media, logs with PII."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from db.enums import (
    ApprovalStatus,
    Aspect,
    AssetType,
    EventType,
    Platform,
    PublishStatus,
    StylePreset,
    SubjectType,
)
from db.models import MediaAsset, Post, RenderJob, Script, VideoReel
from db.repo import identity
from db.repo.runs import log_event

NAME = "Ada Lovelace"
EMAIL = "ada@example.com"
HANDLE = "@ada_creates"


@dataclass
class Owner:
    user_id: uuid.UUID
    twin_id: uuid.UUID
    account_id: uuid.UUID


@dataclass
class ReelFiles:
    reel_id: uuid.UUID
    video: Path
    thumbnail: Path
    audio: Path
    asset_ids: dict[str, uuid.UUID] = field(default_factory=dict)


def owner(session: Session, avatar_folder: Path) -> Owner:
    user = identity.create_user(session=session, name=NAME, email=EMAIL)
    identity.create_agent(session=session, user_id=user.id)
    twin = identity.create_twin(
        session=session,
        user_id=user.id,
        name="Ada Twin",
        style_preset=StylePreset.corporate,
        avatar_assets_folder=str(avatar_folder),
        uses_real_likeness=True,
    )
    account = identity.create_social_account(
        session=session,
        user_id=user.id,
        platform=Platform.sandbox,
        handle=HANDLE,
        account_external_id="ada-1",
    )
    return Owner(user.id, twin.id, account.id)


def _file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"media bytes")
    return path


def _asset(session: Session, who: Owner, kind: AssetType, path: Path, at: datetime) -> MediaAsset:
    asset = MediaAsset(user_id=who.user_id, type=kind, uri=str(path), created_at=at)
    session.add(asset)
    session.flush()
    return asset


def reel(
    session: Session,
    who: Owner,
    media_dir: Path,
    *,
    name: str,
    at: datetime,
    approval: ApprovalStatus,
    post: PublishStatus | None = None,
) -> ReelFiles:
    """A rendered reel (video, thumbnail, speech) created at ``at``, optionally with a post."""
    folder = media_dir / name
    files = ReelFiles(
        reel_id=uuid.uuid4(),
        video=_file(folder / "reel.mp4"),
        thumbnail=_file(folder / "thumb.jpg"),
        audio=_file(folder / "speech.wav"),
    )
    script = Script(user_id=who.user_id, title=name, body_text="words", created_at=at)
    session.add(script)
    session.flush()
    video = _asset(session, who, AssetType.video, files.video, at)
    thumb = _asset(session, who, AssetType.thumbnail, files.thumbnail, at)
    audio = _asset(session, who, AssetType.audio, files.audio, at)
    files.asset_ids = {"video": video.id, "thumbnail": thumb.id, "audio": audio.id}
    render = RenderJob(
        user_id=who.user_id,
        ai_twin_id=who.twin_id,
        script_id=script.id,
        target_aspect=Aspect.portrait,
        output_asset_id=video.id,
        input_assets=[str(audio.id)],
        created_at=at,
    )
    session.add(render)
    session.flush()
    session.add(
        VideoReel(
            id=files.reel_id,
            user_id=who.user_id,
            render_id=render.id,
            title=name,
            length_sec=20,
            aspect_ratio=Aspect.portrait,
            storage_uri=str(files.video),
            thumbnail_asset_id=thumb.id,
            approval_status=approval,
            created_at=at,
        )
    )
    session.flush()
    if post is not None:
        session.add(
            Post(
                user_id=who.user_id,
                reel_id=files.reel_id,
                account_id=who.account_id,
                platform=Platform.sandbox,
                caption="c",
                idempotency_key=f"{files.reel_id}:{who.account_id}",
                scheduled_time=at + timedelta(days=1),
                publish_status=post,
                created_at=at,
            )
        )
        session.flush()
    return files


def loose_asset(
    session: Session, who: Owner, path: Path, at: datetime, kind: AssetType = AssetType.raw_photo
) -> uuid.UUID:
    """A media row without a reel (an upload); the file is created when ``path`` has a parent."""
    _file(path)
    return _asset(session, who, kind, path, at).id


def pii_event(session: Session, who: Owner, at: datetime) -> uuid.UUID:
    return log_event(
        session=session,
        event_type=EventType.approval_recorded,
        subject_type=SubjectType.reel,
        user_id=who.user_id,
        message=f"approve by {EMAIL} ({NAME}) from 203.0.113.7 for {HANDLE}",
        meta={"reviewer": EMAIL, "ip_address": "203.0.113.7", "node": "review", "n": 2},
        at=at,
    ).id

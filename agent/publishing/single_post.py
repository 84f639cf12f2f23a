"""Rows for publishing a file the cycle did not make (``twin post FILE.mp4``).

The file is identified by its SHA-256: the same file on the same account is the same Post, so
running the command again returns the first result instead of posting twice.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.errors import InputError, UserError
from db.enums import ApprovalStatus, Aspect, AssetType, PublishStatus, RenderStatus, ScriptStatus
from db.models import MediaAsset, Post, RenderJob, Script, SocialAccount, VideoReel
from db.repo.identity import list_twins

__all__ = ["AdhocPost", "adhoc_post", "file_digest", "probe_video", "require_video"]


@dataclass
class AdhocPost:
    """The Post created (or found) for a file and account."""

    post_id: uuid.UUID
    reel_id: uuid.UUID
    existed: bool
    size_bytes: int


def file_digest(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def probe_video(path: Path) -> tuple[int, str | None, str | None]:
    """(duration in ms, "WxH", codec) read with PyAV; zeros/None when the file cannot be read."""
    try:
        import av

        with av.open(str(path)) as container:
            stream = next((s for s in container.streams if s.type == "video"), None)
            duration = int((container.duration or 0) / 1000)
            if stream is None:
                return duration, None, None
            size = f"{stream.width}x{stream.height}"  # type: ignore[attr-defined]
            return duration, size, stream.codec_context.name
    except Exception:  # not a video PyAV can read: the platform will judge it
        return 0, None, None


def require_video(path: Path) -> None:
    """Refuse, before anything is uploaded, a file PyAV cannot read as a video with a duration.

    Raises:
        InputError: Missing, empty, not a video, or a video without a duration.
    """
    if not path.is_file():
        raise InputError(f"{path} does not exist; pass the path of an mp4 file")
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty; pass an mp4 video")
    duration_ms, size, codec = probe_video(path)
    if size is None or codec is None:
        raise InputError(f"{path} is not a video (PyAV found no video stream); pass an mp4 video")
    if duration_ms <= 0:
        raise InputError(f"{path} has no duration (a truncated video?); pass a complete mp4")


def adhoc_post(
    session: Session,
    *,
    media: Path,
    account: SocialAccount,
    caption: str,
    hashtags: list[str],
    title: str | None,
    media_dir: Path,
    now: datetime,
    synthetic: bool = True,
) -> AdhocPost:
    """Create (or find) the MediaAsset, Script, RenderJob, VideoReel and Post for ``media``.

    Raises:
        UserError: The file is missing or the account's owner has no twin (run 'twin init').
    """
    if not media.is_file():
        raise UserError(f"{media} does not exist; pass the path of an mp4 file")
    digest = file_digest(media)
    stored = media_dir / "adhoc" / f"{digest[:24]}{media.suffix.lower() or '.mp4'}"
    asset = session.scalar(select(MediaAsset).where(MediaAsset.uri == str(stored)))
    reel = None
    if asset is not None:
        job = session.scalar(select(RenderJob).where(RenderJob.output_asset_id == asset.id))
        reel = (
            session.scalar(select(VideoReel).where(VideoReel.render_id == job.id)) if job else None
        )
    if reel is None:
        reel = _new_reel(session, media, stored, digest, account, caption, hashtags, title, asset)
        reel.synthetic_media = synthetic
    post = session.scalar(
        select(Post).where(Post.reel_id == reel.id, Post.account_id == account.id)
    )
    existed = post is not None
    if post is None:
        post = Post(
            user_id=account.user_id,
            reel_id=reel.id,
            account_id=account.id,
            platform=account.platform,
            caption=caption,
            hashtags=list(hashtags),
            idempotency_key=f"{reel.id}:{account.id}",
            scheduled_time=now,
            publish_status=PublishStatus.scheduled,
        )
        session.add(post)
        session.flush()
    return AdhocPost(post.id, reel.id, existed, stored.stat().st_size)


def _new_reel(
    session: Session,
    media: Path,
    stored: Path,
    digest: str,
    account: SocialAccount,
    caption: str,
    hashtags: list[str],
    title: str | None,
    asset: MediaAsset | None,
) -> VideoReel:
    twins = list_twins(session=session, user_id=account.user_id)
    if not twins:
        raise UserError("no AI twin exists for this account's owner; run 'twin init' first")
    stored.parent.mkdir(parents=True, exist_ok=True)
    if not stored.exists():
        tmp = stored.with_suffix(".part")
        shutil.copyfile(media, tmp)
        tmp.replace(stored)
    duration_ms, resolution, codec = probe_video(stored)
    name = (title or caption.strip().splitlines()[0] if caption.strip() else media.stem)[:300]
    if asset is None:
        asset = MediaAsset(
            user_id=account.user_id,
            type=AssetType.video,
            uri=str(stored),
            duration_ms=duration_ms or None,
            resolution=resolution,
            codec=codec,
            size_bytes=stored.stat().st_size,
            metadata_json={"sha256": digest, "source": "twin post", "original_name": media.name},
        )
        session.add(asset)
        session.flush()
    script = Script(
        user_id=account.user_id,
        title=name,
        body_text=caption,
        tags=[t.lstrip("#") for t in hashtags],
        platform_targets=[account.platform.value],
        status=ScriptStatus.approved,
    )
    session.add(script)
    session.flush()
    job = RenderJob(
        user_id=account.user_id,
        ai_twin_id=twins[0].id,
        script_id=script.id,
        input_assets=[str(stored)],
        target_aspect=Aspect.portrait,
        target_duration_sec=max(1, round(duration_ms / 1000)),
        status=RenderStatus.succeeded,
        progress_pct=100.0,
        output_asset_id=asset.id,
    )
    session.add(job)
    session.flush()
    reel = VideoReel(
        user_id=account.user_id,
        render_id=job.id,
        title=name,
        caption_text=caption,
        hashtags=list(hashtags),
        length_sec=max(1, round(duration_ms / 1000)) if duration_ms else 0,
        aspect_ratio=Aspect.portrait,
        storage_uri=str(stored),
        approval_status=ApprovalStatus.creator_approved,
        review_note="published by hand with 'twin post'",
    )
    session.add(reel)
    session.flush()
    return reel

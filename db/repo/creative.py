"""Scripts, render jobs, media assets and reels of the weekly cycle's creating step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ApprovalStatus, AssetType, CalendarItemStatus, FeedbackSubject, RenderStatus
from db.models import CalendarItem, Feedback, MediaAsset, RenderJob, Script, VideoReel


@dataclass(frozen=True)
class ScriptText:
    """A script's words, as creating passes them on."""

    id: uuid.UUID
    title: str
    hook: str
    body: str
    tags: list[str]


def _text(row: Script) -> ScriptText:
    return ScriptText(row.id, row.title, row.hook, row.body_text, list(row.tags))


def script_for(*, session: Session, item_id: uuid.UUID, revision: int) -> ScriptText | None:
    row = session.scalar(
        select(Script).where(Script.calendar_item_id == item_id, Script.revision == revision)
    )
    return _text(row) if row is not None else None


def save_script(
    *,
    session: Session,
    user_id: uuid.UUID,
    item_id: uuid.UUID,
    revision: int,
    title: str,
    hook: str,
    body: str,
    tags: list[str],
    tone: str,
    language: str,
    platforms: list[str],
    history: list[dict[str, Any]],
) -> ScriptText:
    """A new script revision for a calendar item, which then points at it."""
    row = Script(
        user_id=user_id,
        calendar_item_id=item_id,
        revision=revision,
        title=title,
        hook=hook,
        body_text=body,
        tone=tone,
        language=language,
        tags=tags,
        platform_targets=platforms,
        edit_history_json=history,
    )
    session.add(row)
    session.flush()
    item = session.get(CalendarItem, item_id)
    if item is not None:
        item.script_id = row.id
    return _text(row)


def rewrite_script(
    *, session: Session, script_id: uuid.UUID, body: str, at: datetime, delta: str
) -> None:
    """Replace a script's body, noting why in its edit history."""
    row = session.get(Script, script_id)
    if row is None:
        return
    row.body_text = body
    row.edit_history_json = [
        *row.edit_history_json,
        {"at": at.isoformat(), "editor": "agent", "delta": delta},
    ]


def set_item_status(*, session: Session, item_id: uuid.UUID, status: CalendarItemStatus) -> None:
    item = session.get(CalendarItem, item_id)
    if item is not None:
        item.status = status


def current_reel(
    *, session: Session, item_id: uuid.UUID, revision: int, aspect: str = "9_16"
) -> VideoReel | None:
    """The reel already made for this item revision, if its file is still there."""
    reel = session.scalar(
        select(VideoReel)
        .join(RenderJob, RenderJob.id == VideoReel.render_id)
        .join(Script, Script.id == RenderJob.script_id)
        .where(
            Script.calendar_item_id == item_id,
            Script.revision == revision,
            RenderJob.target_aspect == aspect,
        )
    )
    if reel is not None and Path(reel.storage_uri).is_file():
        return reel
    return None


def render_job(
    *,
    session: Session,
    user_id: uuid.UUID,
    twin_id: uuid.UUID,
    script_id: uuid.UUID,
    voice_id: uuid.UUID | None,
    aspect: str,
    target_sec: int,
) -> uuid.UUID:
    """The render job of a script in one aspect, created when missing."""
    job = session.scalar(
        select(RenderJob).where(RenderJob.script_id == script_id, RenderJob.target_aspect == aspect)
    )
    if job is None:
        job = RenderJob(
            user_id=user_id,
            ai_twin_id=twin_id,
            script_id=script_id,
            tts_voice_profile_id=voice_id,
            target_aspect=aspect,
            target_duration_sec=target_sec,
            status=RenderStatus.queued,
        )
        session.add(job)
        session.flush()
    return job.id


def start_render(*, session: Session, job_id: uuid.UUID) -> int:
    """Mark a job processing for one more attempt; returns the attempt number."""
    job = session.get(RenderJob, job_id)
    assert job is not None
    job.status = RenderStatus.processing
    job.attempts += 1
    job.progress_pct = 0.0
    return job.attempts


def render_progress(*, session: Session, job_id: uuid.UUID, pct: float) -> None:
    job = session.get(RenderJob, job_id)
    if job is not None:
        job.progress_pct = round(pct, 1)


def render_failed(*, session: Session, job_id: uuid.UUID, message: str) -> None:
    job = session.get(RenderJob, job_id)
    if job is not None:
        job.status = RenderStatus.failed
        job.error_json = {"message": message, "attempt": job.attempts}


@dataclass(frozen=True)
class RenderedFiles:
    """What a successful render produced, as the rows of its reel need it."""

    video_path: Path
    thumbnail_path: Path
    audio_path: Path
    duration_ms: int
    audio_duration_ms: int
    width: int
    height: int
    codec: str
    size_bytes: int
    audio_meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReelText:
    """The words and checks a reel is stored with."""

    title: str
    captions: dict[str, dict[str, Any]]
    """Platform -> {"caption", "hashtags"}."""
    fallback_caption: str
    quality_score: float
    quality_checks: dict[str, Any]


def save_reel(
    *,
    session: Session,
    user_id: uuid.UUID,
    job_id: uuid.UUID,
    item_id: uuid.UUID,
    files: RenderedFiles,
    text: ReelText,
    aspect: str = "9_16",
) -> VideoReel:
    """The reel's media assets, its VideoReel row; the job succeeded and the item is ready."""
    video = MediaAsset(
        user_id=user_id,
        type=AssetType.video,
        uri=str(files.video_path),
        duration_ms=files.duration_ms,
        resolution=f"{files.width}x{files.height}",
        codec=files.codec,
        size_bytes=files.size_bytes,
        metadata_json={"render_id": str(job_id)},
    )
    thumb = MediaAsset(
        user_id=user_id,
        type=AssetType.thumbnail,
        uri=str(files.thumbnail_path),
        resolution=f"{files.width}x{files.height}",
        codec="jpeg",
        size_bytes=files.thumbnail_path.stat().st_size,
    )
    audio = MediaAsset(
        user_id=user_id,
        type=AssetType.audio,
        uri=str(files.audio_path),
        duration_ms=files.audio_duration_ms,
        codec="pcm_s16le",
        size_bytes=files.audio_path.stat().st_size,
        metadata_json=dict(files.audio_meta),
    )
    session.add_all([video, thumb, audio])
    session.flush()
    job = session.get(RenderJob, job_id)
    assert job is not None
    job.status = RenderStatus.succeeded
    job.progress_pct = 100.0
    job.output_asset_id = video.id
    job.input_assets = [str(audio.id)]
    job.error_json = None
    first = next(iter(text.captions.values()), {"caption": text.fallback_caption, "hashtags": []})
    reel = VideoReel(
        user_id=user_id,
        render_id=job_id,
        calendar_item_id=item_id,
        title=text.title,
        caption_text=str(first["caption"]),
        hashtags=[str(t) for t in first["hashtags"]],
        platform_captions_json=text.captions,
        length_sec=round(files.duration_ms / 1000),
        aspect_ratio=aspect,
        quality_score=text.quality_score,
        quality_checks_json=text.quality_checks,
        synthetic_media=True,
        storage_uri=str(files.video_path),
        thumbnail_asset_id=thumb.id,
    )
    session.add(reel)
    session.flush()
    set_item_status(session=session, item_id=item_id, status=CalendarItemStatus.render_ready)
    return reel


def save_rendition(
    *,
    session: Session,
    user_id: uuid.UUID,
    job_id: uuid.UUID,
    result_path: Path,
    duration_ms: int,
    resolution: str,
    size_bytes: int,
) -> MediaAsset:
    """The file of one more aspect of a reel; its render job succeeded."""
    job = session.get(RenderJob, job_id)
    assert job is not None
    video = MediaAsset(
        user_id=user_id,
        type=AssetType.video,
        uri=str(result_path),
        duration_ms=duration_ms,
        resolution=resolution,
        codec="h264+aac",
        size_bytes=size_bytes,
        metadata_json={"render_id": str(job_id), "aspect": str(job.target_aspect)},
    )
    session.add(video)
    session.flush()
    job.status = RenderStatus.succeeded
    job.progress_pct = 100.0
    job.output_asset_id = video.id
    job.error_json = None
    return video


def record_decision(
    *,
    session: Session,
    reel: VideoReel,
    action: str,
    reviewer: str,
    reason: str = "",
    captions: dict[str, dict[str, Any]] | None = None,
    caption: str | None = None,
    hashtags: list[str] | None = None,
) -> None:
    """A reviewer's decision on a reel (approve, edit, reject, regenerate); a rejection with a
    reason is also the creator's feedback (1 star, a new take 2), which adapting learns from."""
    if action in ("approve", "edit"):
        reel.approval_status = ApprovalStatus.creator_approved
    else:
        reel.approval_status = ApprovalStatus.rejected
    if action == "edit":
        if captions is not None:
            reel.platform_captions_json = captions
        if caption:
            reel.caption_text = caption
        if hashtags is not None:
            reel.hashtags = hashtags
    reel.review_note = f"{action} by {reviewer}" + (f": {reason}" if reason else "")
    if action in ("reject", "regenerate") and reason:
        session.add(
            Feedback(
                user_id=reel.user_id,
                subject_type=FeedbackSubject.reel,
                subject_id=str(reel.id),
                rating=1 if action == "reject" else 2,
                comment=reason,
            )
        )


def auto_approve(*, session: Session, reel: VideoReel, note: str) -> None:
    reel.approval_status = ApprovalStatus.auto_approved
    reel.review_note = note


__all__ = [
    "ReelText",
    "RenderedFiles",
    "ScriptText",
    "auto_approve",
    "current_reel",
    "record_decision",
    "render_failed",
    "render_job",
    "render_progress",
    "rewrite_script",
    "save_reel",
    "save_rendition",
    "save_script",
    "script_for",
    "set_item_status",
    "start_render",
]

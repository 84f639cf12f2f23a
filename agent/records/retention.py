"""Retention (S003 section 14): raw media expires, logs lose personal data, then expire.

What is kept, and why:

- **Media still needed.** The video and thumbnail of a reel waiting for review, or of a reel
  with a post that is a draft, scheduled, publishing, unconfirmed or published, are kept
  whatever their age: a pending post needs the file to go out, and a published reel is the
  record of what the agent put out in the creator's name (synthetic media), not a raw asset.
  Files inside an active twin's avatar folder (the creator's likeness) are never touched.
  Everything else is raw and expires after ``retention_raw_asset_days``: speech audio,
  uploads, and the videos and thumbnails of reels that were rejected or never posted.
  Files outside the data directory are not ours to delete: their rows go, the files stay.
- **Logs.** ``event_logs`` and ``error_logs`` older than ``retention_log_scrub_days`` are
  scrubbed of personal data (see :mod:`agent.records.scrub`) and marked ``scrubbed_at``;
  older than ``retention_log_delete_days`` they are deleted.
- **Not touched:** the audit log (the record of who did what is kept for the account's
  lifetime, like consent records), reports, posts, metrics and reel rows.

Every pass is idempotent: a file is unlinked before its row is deleted, so a pass cut short
leaves at worst a row whose file is gone, which the next pass removes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from agent.records.scrub import Scrubber, scrubber_for
from db.engine import transaction
from db.enums import ApprovalStatus, AssetType, PublishStatus, TwinStatus
from db.models import AITwin, ErrorLog, EventLog, MediaAsset, Post, RenderJob, VideoReel

__all__ = ["RetentionPeriods", "RetentionReport", "apply_retention", "periods_from"]

BATCH = 500
LIVE_POSTS = (
    PublishStatus.draft,
    PublishStatus.scheduled,
    PublishStatus.publishing,
    PublishStatus.unconfirmed,
    PublishStatus.published,
)
"""Post states whose reel's video must stay."""
EXEMPT_TYPES = (AssetType.brand_pack,)
"""Brand packs are configuration the creator uploaded on purpose, not captured raw media."""


@dataclass(frozen=True)
class RetentionPeriods:
    """How long things are kept, in days."""

    raw_asset_days: int
    log_scrub_days: int
    log_delete_days: int


def periods_from(settings: Any) -> RetentionPeriods:
    """The periods from ``TWIN_RETENTION_*`` settings."""
    return RetentionPeriods(
        raw_asset_days=settings.retention_raw_asset_days,
        log_scrub_days=settings.retention_log_scrub_days,
        log_delete_days=settings.retention_log_delete_days,
    )


@dataclass
class RetentionReport:
    """What one pass did (or, dry, would do)."""

    assets_deleted: int = 0
    files_deleted: int = 0
    files_already_gone: int = 0
    files_outside_data_dir: int = 0
    assets_kept_in_use: int = 0
    events_scrubbed: int = 0
    errors_scrubbed: int = 0
    events_deleted: int = 0
    errors_deleted: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (
            f"retention {verb} {self.assets_deleted} media assets ({self.files_deleted} files), "
            f"kept {self.assets_kept_in_use} still in use; scrubbed {self.events_scrubbed} "
            f"events and {self.errors_scrubbed} errors; {verb} {self.events_deleted} events "
            f"and {self.errors_deleted} errors"
        )


def apply_retention(
    *,
    sessions: Callable[[], Session],
    data_dir: Path,
    periods: RetentionPeriods,
    now: datetime,
    dry_run: bool = False,
) -> RetentionReport:
    """One retention pass at time ``now`` (aware).

    Args:
        sessions: Session factory of the application database.
        data_dir: The data directory; only files under it are deleted.
        periods: The retention periods.
        now: The current time (the scheduler's clock).
        dry_run: Count what would change, change nothing.
    """
    report = RetentionReport(dry_run=dry_run)
    _expire_media(sessions, data_dir, now - timedelta(days=periods.raw_asset_days), report)
    # Deleting first spares scrubbing rows that are about to go.
    delete_before = now - timedelta(days=periods.log_delete_days)
    _delete_logs(sessions, delete_before, report)
    window = (delete_before, now - timedelta(days=periods.log_scrub_days))
    _scrub_logs(sessions, window, now, report)
    return report


# -- media ----------------------------------------------------------------------------------


def _needed(session: Session) -> tuple[set[uuid.UUID], set[str]]:
    """Asset ids and file paths that a pending review or a live post still needs."""
    live = select(Post.reel_id).where(Post.publish_status.in_(LIVE_POSTS))
    rows = session.execute(
        select(VideoReel.storage_uri, VideoReel.thumbnail_asset_id, RenderJob.output_asset_id)
        .join(RenderJob, RenderJob.id == VideoReel.render_id, isouter=True)
        .where(or_(VideoReel.approval_status == ApprovalStatus.pending, VideoReel.id.in_(live)))
    )
    ids: set[uuid.UUID] = set()
    uris: set[str] = set()
    for uri, thumb, output in rows:
        uris.add(uri)
        ids.update(i for i in (thumb, output) if i is not None)
    return ids, uris


def _likeness_dirs(session: Session) -> list[Path]:
    folders = session.scalars(
        select(AITwin.avatar_assets_folder).where(AITwin.status == TwinStatus.active)
    )
    return [Path(f).resolve() for f in folders if f]


def _file_of(uri: str) -> Path:
    return Path(uri.removeprefix("file://")).resolve()


def _expire_media(
    sessions: Callable[[], Session], data_dir: Path, cutoff: datetime, report: RetentionReport
) -> None:
    root = data_dir.resolve()
    with sessions() as session:
        needed_ids, needed_uris = _needed(session)
        likeness = _likeness_dirs(session)
    needed_files = {_file_of(u) for u in needed_uris if u}
    last: tuple[datetime, uuid.UUID] | None = None
    while True:
        with sessions() as session:
            stmt = (
                select(MediaAsset.id, MediaAsset.uri, MediaAsset.created_at)
                .where(MediaAsset.created_at < cutoff, MediaAsset.type.not_in(EXEMPT_TYPES))
                .order_by(MediaAsset.created_at, MediaAsset.id)
                .limit(BATCH)
            )
            if last is not None:
                stmt = stmt.where(
                    or_(
                        MediaAsset.created_at > last[0],
                        and_(MediaAsset.created_at == last[0], MediaAsset.id > last[1]),
                    )
                )
            batch = list(session.execute(stmt))
        if not batch:
            return
        last = (batch[-1].created_at, batch[-1].id)
        doomed: list[uuid.UUID] = []
        for asset_id, uri, _ in batch:
            path = _file_of(uri)
            if (
                asset_id in needed_ids
                or uri in needed_uris
                or path in needed_files
                or any(path.is_relative_to(d) for d in likeness)
            ):
                report.assets_kept_in_use += 1
                continue
            doomed.append(asset_id)
            _remove_file(path, root, report)
        report.assets_deleted += len(doomed)
        if doomed and not report.dry_run:
            with transaction(sessions) as session:  # type: ignore[arg-type]
                session.execute(delete(MediaAsset).where(MediaAsset.id.in_(doomed)))


def _remove_file(path: Path, root: Path, report: RetentionReport) -> None:
    if not path.is_relative_to(root):
        report.files_outside_data_dir += 1
        return
    if not path.is_file():
        report.files_already_gone += 1
        return
    report.files_deleted += 1
    if not report.dry_run:
        path.unlink(missing_ok=True)


# -- logs -----------------------------------------------------------------------------------


def _scrub_logs(
    sessions: Callable[[], Session],
    window: tuple[datetime, datetime],
    now: datetime,
    report: RetentionReport,
) -> None:
    """Scrub logs written in ``window`` (older ones are deleted, even in a dry run's count)."""
    with sessions() as session:
        scrubber = scrubber_for(session)
    report.events_scrubbed = _scrub_table(
        sessions, EventLog, EventLog.created_at, window, now, scrubber, report.dry_run
    )
    report.errors_scrubbed = _scrub_table(
        sessions, ErrorLog, ErrorLog.occurred_at, window, now, scrubber, report.dry_run
    )


def _scrub_table(
    sessions: Callable[[], Session],
    model: type[EventLog] | type[ErrorLog],
    when: Any,
    window: tuple[datetime, datetime],
    now: datetime,
    scrubber: Scrubber,
    dry_run: bool,
) -> int:
    done = 0
    last: uuid.UUID | None = None
    while True:
        with sessions() as session:
            stmt = (
                select(model)
                .where(when >= window[0], when < window[1], model.scrubbed_at.is_(None))
                .order_by(model.id)
                .limit(BATCH)
            )
            if last is not None:
                stmt = stmt.where(model.id > last)
            rows = cast(list[EventLog | ErrorLog], list(session.scalars(stmt)))
            if not rows:
                return done
            last = rows[-1].id
            done += len(rows)
            if not dry_run:
                for row in rows:
                    _scrub_row(row, scrubber, now)
                session.commit()


def _scrub_row(row: EventLog | ErrorLog, scrubber: Scrubber, now: datetime) -> None:
    row.message = scrubber.text(row.message)
    if isinstance(row, EventLog):
        row.meta_json = scrubber.json(row.meta_json or {})
    else:
        row.context_json = scrubber.json(row.context_json or {})
        row.stack_trace = scrubber.text(row.stack_trace) if row.stack_trace else row.stack_trace
        row.resolution_notes = (
            scrubber.text(row.resolution_notes) if row.resolution_notes else row.resolution_notes
        )
    row.scrubbed_at = now


def _delete_logs(
    sessions: Callable[[], Session], cutoff: datetime, report: RetentionReport
) -> None:
    with transaction(sessions) as session:  # type: ignore[arg-type]
        if report.dry_run:
            report.events_deleted = _count(session, EventLog, EventLog.created_at < cutoff)
            report.errors_deleted = _count(session, ErrorLog, ErrorLog.occurred_at < cutoff)
            return
        events = session.execute(delete(EventLog).where(EventLog.created_at < cutoff))
        errors = session.execute(delete(ErrorLog).where(ErrorLog.occurred_at < cutoff))
        report.events_deleted = int(getattr(events, "rowcount", 0) or 0)
        report.errors_deleted = int(getattr(errors, "rowcount", 0) or 0)


def _count(session: Session, model: Any, condition: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)

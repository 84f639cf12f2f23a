"""Retention on SQLite and PostgreSQL with a fake clock: files deleted, rows gone, logs scrubbed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.app.resources import Resources, open_resources
from agent.records.retention import RetentionPeriods, apply_retention
from agent.settings import load_settings
from db.engine import transaction
from db.enums import ApprovalStatus, AssetType, ErrorScope, PublishStatus
from db.migrate import upgrade
from db.models import ErrorLog, EventLog, MediaAsset, VideoReel
from db.repo.runs import log_error
from tests.records import builders
from tests.records.builders import EMAIL, HANDLE, NAME

NOW = datetime(2027, 6, 1, 3, 41, tzinfo=UTC)
PERIODS = RetentionPeriods(raw_asset_days=180, log_scrub_days=180, log_delete_days=365)
OLD = NOW - timedelta(days=200)
YOUNG = NOW - timedelta(days=10)
ANCIENT = NOW - timedelta(days=400)
TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"


@pytest.fixture
def system(tmp_path: Path, db_url: str) -> Iterator[Resources]:
    sys_ = open_resources(load_settings(data_dir=tmp_path / "data", database_url=db_url))
    upgrade(sys_.engine)
    yield sys_
    sys_.dispose()


class World:
    """One creator's media and logs at various ages."""

    def __init__(self, system: Resources, outside: Path) -> None:
        data = system.settings.data_dir
        media = system.settings.media_dir
        self.avatar = data / "twins" / "ada"
        with transaction(system.sessions) as session:
            who = builders.owner(session, self.avatar)

            def make(
                name: str,
                at: datetime,
                approval: ApprovalStatus,
                post: PublishStatus | None = None,
            ) -> builders.ReelFiles:
                return builders.reel(
                    session, who, media, name=name, at=at, approval=approval, post=post
                )

            self.rejected = make("rejected", OLD, ApprovalStatus.rejected)
            self.published = make(
                "published", OLD, ApprovalStatus.creator_approved, PublishStatus.published
            )
            self.pending = make("pending", OLD, ApprovalStatus.pending)
            self.failed = make("failed", OLD, ApprovalStatus.auto_approved, PublishStatus.failed)
            self.young = make("young", YOUNG, ApprovalStatus.rejected)
            self.outside_file = outside / "upload.jpg"
            self.outside = builders.loose_asset(session, who, self.outside_file, OLD)
            self.likeness_file = self.avatar / "face.jpg"
            self.likeness = builders.loose_asset(session, who, self.likeness_file, OLD)
            gone = media / "gone.wav"
            self.gone = builders.loose_asset(session, who, gone, OLD, AssetType.audio)
            gone.unlink()
            self.brand_file = media / "brand.zip"
            self.brand = builders.loose_asset(
                session, who, self.brand_file, OLD, AssetType.brand_pack
            )
            self.old_event = builders.pii_event(session, who, OLD)
            self.young_event = builders.pii_event(session, who, YOUNG)
            self.ancient_event = builders.pii_event(session, who, ANCIENT)
            err = log_error(
                session=session,
                scope=ErrorScope.publisher,
                message=f"upload for {HANDLE} failed: Bearer {TOKEN}",
                context={"user_email": EMAIL, "attempt": 3},
            )
            err.occurred_at = OLD
            err.stack_trace = f"Traceback ...\nValueError: {EMAIL} at 198.51.100.4"
            self.old_error = err.id
            ancient = log_error(session=session, scope=ErrorScope.media, message="x")
            ancient.occurred_at = ANCIENT
            self.ancient_error = ancient.id


def _asset_ids(system: Resources) -> set[uuid.UUID]:
    with system.sessions() as session:
        return set(session.scalars(select(MediaAsset.id)))


def test_expired_raw_media_goes_and_what_is_still_needed_stays(
    system: Resources, tmp_path: Path
) -> None:
    world = World(system, tmp_path / "elsewhere")
    report = apply_retention(
        sessions=system.sessions,
        data_dir=system.settings.data_dir,
        periods=PERIODS,
        now=NOW,
    )
    left = _asset_ids(system)

    for files in (world.rejected, world.failed):
        assert not files.video.exists() and not files.thumbnail.exists()
        assert not files.audio.exists()
        assert not set(files.asset_ids.values()) & left
    assert world.published.video.exists() and world.published.thumbnail.exists()
    assert {world.published.asset_ids["video"], world.published.asset_ids["thumbnail"]} <= left
    assert not world.published.audio.exists(), "speech is raw even when the reel is live"
    assert set(world.pending.asset_ids.values()) - left == {world.pending.asset_ids["audio"]}
    assert world.young.video.exists() and set(world.young.asset_ids.values()) <= left
    assert world.likeness in left and world.likeness_file.exists()
    assert world.brand in left and world.brand_file.exists()
    assert world.outside not in left and world.outside_file.exists(), "not ours to delete"
    assert world.gone not in left

    assert report.assets_deleted == 10
    assert report.files_deleted == 8
    assert (report.files_already_gone, report.files_outside_data_dir) == (1, 1)
    assert report.assets_kept_in_use == 5
    with system.sessions() as session:
        reels = {r.id: r for r in session.scalars(select(VideoReel))}
    assert len(reels) == 5, "reel rows are records, not raw assets"
    assert reels[world.rejected.reel_id].thumbnail_asset_id is None


def test_old_logs_lose_personal_data_and_older_ones_are_deleted(
    system: Resources, tmp_path: Path
) -> None:
    world = World(system, tmp_path / "elsewhere")
    report = apply_retention(
        sessions=system.sessions,
        data_dir=system.settings.data_dir,
        periods=PERIODS,
        now=NOW,
    )
    with system.sessions() as session:
        old = session.get(EventLog, world.old_event)
        young = session.get(EventLog, world.young_event)
        error = session.get(ErrorLog, world.old_error)
        assert session.get(EventLog, world.ancient_event) is None
        assert session.get(ErrorLog, world.ancient_error) is None
    assert old is not None and young is not None and error is not None
    assert old.message == "approve by [email] ([name]) from [ip] for [handle]"
    assert old.meta_json == {
        "reviewer": "[scrubbed]",
        "ip_address": "[scrubbed]",
        "node": "review",
        "n": 2,
    }
    assert old.scrubbed_at == NOW
    assert EMAIL in young.message and young.scrubbed_at is None, "young logs are untouched"
    for text in (error.message, error.stack_trace or "", str(error.context_json)):
        for personal in (EMAIL, HANDLE, NAME, TOKEN, "198.51.100.4"):
            assert personal not in text
    assert error.context_json == {"user_email": "[scrubbed]", "attempt": 3}
    assert (report.events_scrubbed, report.errors_scrubbed) == (1, 1)
    assert (report.events_deleted, report.errors_deleted) == (1, 1)


def test_a_second_pass_changes_nothing_and_a_dry_run_changes_nothing(
    system: Resources, tmp_path: Path
) -> None:
    World(system, tmp_path / "elsewhere")

    def run(dry: bool = False) -> dict:
        return apply_retention(
            sessions=system.sessions,
            data_dir=system.settings.data_dir,
            periods=PERIODS,
            now=NOW,
            dry_run=dry,
        ).as_dict()

    before = _asset_ids(system)
    dry = run(dry=True)
    assert _asset_ids(system) == before
    with system.sessions() as session:
        assert session.scalar(select(func.count()).where(EventLog.scrubbed_at.isnot(None))) == 0
    first = run()
    assert {k: v for k, v in first.items() if k != "dry_run"} == {
        k: v for k, v in dry.items() if k != "dry_run"
    }
    second = run()
    assert second["assets_deleted"] == second["files_deleted"] == 0
    assert second["events_scrubbed"] == second["errors_scrubbed"] == 0
    assert second["events_deleted"] == second["errors_deleted"] == 0
    assert second["assets_kept_in_use"] == first["assets_kept_in_use"]


def test_periods_come_from_settings_and_must_be_in_order(tmp_path: Path) -> None:
    from agent.records.retention import periods_from

    settings = load_settings(
        data_dir=tmp_path,
        retention_raw_asset_days=90,
        retention_log_scrub_days=200,
        retention_log_delete_days=300,
    )
    assert periods_from(settings) == RetentionPeriods(90, 200, 300)
    with pytest.raises(ValueError, match="at least TWIN_RETENTION_LOG_SCRUB_DAYS"):
        load_settings(data_dir=tmp_path, retention_log_delete_days=100)

"""The worker's upkeep jobs: registered on the schedule, idempotent, and recorded as events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.scheduling import JobRuntime
from agent.scheduling.registry import COMPACTION_JOB, RETENTION_JOB, open_scheduler, sync_jobs
from agent.scheduling.upkeep import memory_compaction_job, retention_job
from agent.settings import load_settings
from db.engine import transaction
from db.enums import AssetType, EventType
from db.models import AgentMemory, EventLog, MediaAsset
from db.repo.identity import get_agent
from memory import AgentMemoryStore, RetentionPolicy
from tests.scheduler.conftest import MovableClock

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)  # a Friday


@pytest.fixture
def system(tmp_path: Path) -> Iterator[Resources]:
    sys_ = open_resources(load_settings(data_dir=tmp_path / "data"))
    initialise(sys_)
    yield sys_
    sys_.dispose()


def _events(system: Resources, kind: EventType) -> list[EventLog]:
    with system.sessions() as session:
        return list(
            session.scalars(
                select(EventLog).where(EventLog.event_type == kind).order_by(EventLog.created_at)
            )
        )


def test_the_worker_schedules_retention_daily_and_compaction_weekly(system: Resources) -> None:
    runtime = JobRuntime(system=system, clock=MovableClock(NOW))
    with open_scheduler(runtime) as scheduler:
        changes = sync_jobs(scheduler, system)
        retention = scheduler.get_job(RETENTION_JOB)
        compaction = scheduler.get_job(COMPACTION_JOB)
        assert retention is not None and compaction is not None
        assert retention.next_run_time == datetime(2030, 3, 2, 3, 41, tzinfo=UTC)
        assert compaction.next_run_time == datetime(2030, 3, 3, 4, 23, tzinfo=UTC)  # Sunday
        assert "retention (daily)" in changes and "memory compaction (weekly)" in changes
        assert not {"retention (daily)", "memory compaction (weekly)"} & set(
            sync_jobs(scheduler, system)
        ), "a second sync changes nothing"


def test_the_retention_job_runs_on_the_worker_clock_and_records_an_event(system: Resources) -> None:
    media = system.settings.media_dir / "old.wav"
    media.write_bytes(b"speech")
    with transaction(system.sessions) as session:
        agent = get_agent(session=session)
        session.add(
            MediaAsset(
                user_id=agent.user_id,
                type=AssetType.audio,
                uri=str(media),
                created_at=NOW - timedelta(days=181),
            )
        )
    clock = MovableClock(NOW)
    runtime = JobRuntime(system=system, clock=clock)
    first = retention_job(scheduled_at=NOW, runtime=runtime)
    assert first["assets_deleted"] == 1 and not media.exists()
    second = retention_job(scheduled_at=NOW, runtime=runtime)
    assert second["assets_deleted"] == 0

    events = _events(system, EventType.retention_applied)
    assert len(events) == 2
    assert events[0].created_at == NOW
    assert events[0].meta_json["assets_deleted"] == 1
    assert events[0].meta_json["periods"] == {
        "raw_asset_days": 180,
        "log_scrub_days": 180,
        "log_delete_days": 365,
    }
    assert "deleted 1 media assets" in events[0].message


def test_the_compaction_job_trims_each_agents_memory_and_records_it(system: Resources) -> None:
    clock = MovableClock(NOW)
    with transaction(system.sessions) as session:
        agent_id = get_agent(session=session).id
    runtime = JobRuntime(system=system, clock=clock)
    assert memory_compaction_job(scheduled_at=NOW, runtime=runtime) == 0, "no memory yet"

    with transaction(system.sessions) as session:
        policy = RetentionPolicy(top_k=2, engagement_weight=1.0, recency_weight=0.0)
        session.add(
            AgentMemory(
                agent_id=agent_id,
                vector_db_uri="set by the job",
                retention_policy_json=policy.model_dump(mode="json"),
            )
        )
    store = AgentMemoryStore.from_settings(system.settings, str(agent_id), clock=clock.now)  # type: ignore[arg-type]
    for i, score in enumerate([0.9, 0.1, 0.5, 0.7, 0.3]):
        store.add(
            kind="post_outcome",
            text=f"Reel {i} on Web3 security scored {score}",
            metadata={
                "topic": "Web3 security",
                "twin_id": "ava",
                "engagement_score": score,
                "created_at": NOW - timedelta(days=20 + i),
            },
            memory_id=f"outcome-{i}",
        )
    assert store.count() == 5

    assert memory_compaction_job(scheduled_at=NOW, runtime=runtime) == 1
    kept = {h.id for h in (store.get(f"outcome-{i}") for i in range(5)) if h is not None}
    assert kept == {"outcome-0", "outcome-3"}, "the two most engaging stay"
    assert store.count() == 3, "two kept and one summary"

    events = _events(system, EventType.memory_compacted)
    assert len(events) == 1 and events[0].agent_id == agent_id
    assert events[0].meta_json["report"]["compacted"] == 3
    with system.sessions() as session:
        row = session.scalar(select(AgentMemory).where(AgentMemory.agent_id == agent_id))
        assert row is not None and row.index_stats_json["size"] == 3

    clock.set(NOW + timedelta(days=7))
    assert memory_compaction_job(scheduled_at=NOW + timedelta(days=7), runtime=runtime) == 1
    assert store.count() == 3, "a second pass changes nothing"
    latest = _events(system, EventType.memory_compacted)[-1]
    assert latest.meta_json["report"]["compacted"] == 0


def test_twin_retention_runs_now_or_dry(data_dir_with_old_media: tuple[Path, Path]) -> None:
    from tests.records.conftest import twin

    data_dir, media = data_dir_with_old_media
    dry = twin(data_dir, "retention", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert '"assets_deleted": 1' in dry.output and '"dry_run": true' in dry.output
    assert media.exists()
    done = twin(data_dir, "retention")
    assert done.exit_code == 0, done.output
    assert "deleted 1 media assets" in done.output and not media.exists()


@pytest.fixture
def data_dir_with_old_media(system: Resources) -> tuple[Path, Path]:
    media = system.settings.media_dir / "old.wav"
    media.write_bytes(b"speech")
    with transaction(system.sessions) as session:
        session.add(
            MediaAsset(
                user_id=get_agent(session=session).user_id,
                type=AssetType.audio,
                uri=str(media),
                created_at=datetime.now(UTC) - timedelta(days=400),
            )
        )
    return system.settings.data_dir, media

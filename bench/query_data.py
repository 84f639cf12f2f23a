"""Seed a database with a heavy creator's history for ``bench/queries.py``.

One creator, four agents and five accounts; ``rows`` agent runs, posts, analytics snapshots,
publisher tasks and event logs (100k each by default), with the calendars, scripts, renders,
media and reels the posts hang from (one reel per five posts). Every row is written with
Core bulk inserts, in chunks, through the application's own tables.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert

from db.base import Base
from db.enums import (
    ApprovalStatus,
    AssetType,
    EventType,
    NotificationType,
    Platform,
    PublishStatus,
    RunStatus,
    StylePreset,
    SubjectType,
    TaskStatus,
    TriggerType,
)

__all__ = ["END", "Seeded", "seed"]

END = datetime(2030, 6, 3, 9, 0, tzinfo=UTC)
"""The bench's "now": the last seeded week starts here."""
CHUNK = 5000
PLATFORMS = [
    Platform.instagram,
    Platform.tiktok,
    Platform.youtube_shorts,
    Platform.linkedin,
    Platform.threads,
]
_STATUS_MIX = [PublishStatus.published] * 90 + [PublishStatus.scheduled] * 5
_STATUS_MIX += [PublishStatus.failed] * 3 + [PublishStatus.unconfirmed, PublishStatus.draft]


@dataclass
class Seeded:
    """Ids the queries need."""

    user_id: uuid.UUID
    agent_ids: list[uuid.UUID]
    account_ids: list[uuid.UUID]
    recent_run_id: uuid.UUID = field(default_factory=uuid.uuid4)
    """A run that has a calendar, reels and posts."""
    recent_week: str = ""
    post_ids: list[uuid.UUID] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _put(engine: Engine, name: str, rows: Iterable[dict[str, Any]], seeded: Seeded) -> None:
    table = _table(name)
    with engine.begin() as conn:
        for chunk in _chunks(rows):
            conn.execute(insert(table), chunk)
            seeded.counts[name] = seeded.counts.get(name, 0) + len(chunk)


def _week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def seed(engine: Engine, *, rows: int = 100_000, seed_value: int = 4) -> Seeded:
    """Fill an empty, migrated database; returns the ids the queries use."""
    import db.models  # noqa: F401  (registers every table)

    rng = random.Random(seed_value)
    user_id = uuid.uuid4()
    seeded = Seeded(user_id=user_id, agent_ids=[uuid.uuid4() for _ in range(4)], account_ids=[])
    _put(
        engine,
        "users",
        [{"id": user_id, "name": "Bench Creator", "email": "bench@example.com"}],
        seeded,
    )
    _put(
        engine,
        "agents",
        [
            {"id": a, "user_id": user_id, "name": f"agent {i}"}
            for i, a in enumerate(seeded.agent_ids)
        ],
        seeded,
    )
    twin_id = uuid.uuid4()
    _put(
        engine,
        "ai_twins",
        [{"id": twin_id, "user_id": user_id, "name": "Ava", "style_preset": StylePreset.space}],
        seeded,
    )
    seeded.account_ids = [uuid.uuid4() for _ in PLATFORMS]
    _put(
        engine,
        "social_accounts",
        [
            {
                "id": acc,
                "user_id": user_id,
                "platform": p,
                "handle": f"@bench_{p.value}",
                "account_external_id": f"ext-{p.value}",
            }
            for acc, p in zip(seeded.account_ids, PLATFORMS, strict=True)
        ],
        seeded,
    )

    # Runs: one a week per agent, going back as far as the row count needs.
    runs: list[tuple[uuid.UUID, uuid.UUID, datetime]] = []
    for i in range(rows):
        agent = seeded.agent_ids[i % 4]
        started = END - timedelta(weeks=i // 4, minutes=i % 4)
        runs.append((uuid.uuid4(), agent, started))
    waiting = {runs[0][0], runs[1][0], runs[7][0]}

    def run_rows() -> Iterator[dict[str, Any]]:
        for run_id, agent, started in runs:
            status = RunStatus.waiting_review if run_id in waiting else RunStatus.finished
            if rng.random() < 0.02 and run_id not in waiting:
                status = RunStatus.error
            yield {
                "id": run_id,
                "agent_id": agent,
                "trigger_type": TriggerType.schedule_weekly,
                "week_key": _week_key(started.date()),
                "status": status,
                "started_at": started,
                "finished_at": None if status == RunStatus.waiting_review else started,
                "summary": "7 reels, 35 posts",
            }

    _put(engine, "agent_runs", run_rows(), seeded)

    reels = rows // len(PLATFORMS)
    per_calendar = 5
    calendars = reels // per_calendar
    cal_runs = runs[:calendars]
    seeded.recent_run_id = cal_runs[0][0]
    seeded.recent_week = _week_key(cal_runs[0][2].date())
    cal_ids = [uuid.uuid4() for _ in cal_runs]
    _put(
        engine,
        "content_calendars",
        [
            {
                "id": cid,
                "user_id": user_id,
                "agent_id": agent,
                "run_id": run_id,
                "period_start": started.date(),
                "period_end": started.date() + timedelta(days=6),
            }
            for cid, (run_id, agent, started) in zip(cal_ids, cal_runs, strict=True)
        ],
        seeded,
    )
    items: list[tuple[uuid.UUID, uuid.UUID, datetime, int]] = []
    for cid, (_, _, started) in zip(cal_ids, cal_runs, strict=True):
        for slot in range(per_calendar):
            items.append((uuid.uuid4(), cid, started + timedelta(days=slot, hours=9), slot))
    script_ids = [uuid.uuid4() for _ in items]
    _put(
        engine,
        "scripts",
        [
            {
                "id": sid,
                "user_id": user_id,
                "calendar_item_id": iid,
                "title": f"reel {n}",
                "body_text": "words " * 40,
                "created_at": at,
            }
            for n, (sid, (iid, _, at, _)) in enumerate(zip(script_ids, items, strict=True))
        ],
        seeded,
    )
    _put(
        engine,
        "calendar_items",
        [
            {
                "id": iid,
                "calendar_id": cid,
                "slot": slot,
                "planned_date": at.date(),
                "planned_at": at,
                "planned_platforms": [p.value for p in PLATFORMS],
                "content_pillar": "education",
                "topic": f"topic {slot}",
                "ai_twin_id": twin_id,
                "script_id": sid,
                "status": "published",
            }
            for (iid, cid, at, slot), sid in zip(items, script_ids, strict=True)
        ],
        seeded,
    )
    render_ids = [uuid.uuid4() for _ in items]
    video_ids = [uuid.uuid4() for _ in items]
    thumb_ids = [uuid.uuid4() for _ in items]

    def media_rows() -> Iterator[dict[str, Any]]:
        for (_, _, at, _), vid, tid in zip(items, video_ids, thumb_ids, strict=True):
            for asset_id, kind, ext in (
                (vid, AssetType.video, "mp4"),
                (tid, AssetType.thumbnail, "jpg"),
            ):
                yield {
                    "id": asset_id,
                    "user_id": user_id,
                    "type": kind,
                    "uri": f"/data/media/{asset_id}.{ext}",
                    "created_at": at,
                }

    _put(engine, "media_assets", media_rows(), seeded)
    _put(
        engine,
        "render_jobs",
        [
            {
                "id": rid,
                "user_id": user_id,
                "ai_twin_id": twin_id,
                "script_id": sid,
                "target_aspect": "9_16",
                "status": "succeeded",
                "output_asset_id": vid,
                "created_at": at,
            }
            for rid, sid, vid, (_, _, at, _) in zip(
                render_ids, script_ids, video_ids, items, strict=True
            )
        ],
        seeded,
    )
    reel_ids = [uuid.uuid4() for _ in items]
    _put(
        engine,
        "video_reels",
        [
            {
                "id": reel,
                "user_id": user_id,
                "render_id": rid,
                "calendar_item_id": iid,
                "title": f"reel {n}",
                "length_sec": 20,
                "aspect_ratio": "9_16",
                "quality_score": 0.9,
                "storage_uri": f"/data/media/{vid}.mp4",
                "thumbnail_asset_id": tid,
                "approval_status": ApprovalStatus.pending
                if n < 10
                else ApprovalStatus.creator_approved,
                "created_at": at,
            }
            for n, (reel, rid, vid, tid, (iid, _, at, _)) in enumerate(
                zip(reel_ids, render_ids, video_ids, thumb_ids, items, strict=True)
            )
        ],
        seeded,
    )

    posts: list[tuple[uuid.UUID, datetime, PublishStatus]] = []

    def post_rows() -> Iterator[dict[str, Any]]:
        for reel, (_, _, at, _) in zip(reel_ids, items, strict=True):
            for acc, platform in zip(seeded.account_ids, PLATFORMS, strict=True):
                post_id = uuid.uuid4()
                status = rng.choice(_STATUS_MIX)
                posts.append((post_id, at, status))
                yield {
                    "id": post_id,
                    "user_id": user_id,
                    "reel_id": reel,
                    "account_id": acc,
                    "platform": platform,
                    "caption": "caption #bench",
                    "idempotency_key": f"{reel}:{acc}",
                    "scheduled_time": at,
                    "publish_status": status,
                    "published_at": at if status == PublishStatus.published else None,
                    "platform_post_id": f"pp-{post_id.hex[:12]}"
                    if status == PublishStatus.published
                    else None,
                    "created_at": at,
                }

    _put(engine, "posts", post_rows(), seeded)
    seeded.post_ids = [p for p, _, _ in posts]
    _put(
        engine,
        "publisher_tasks",
        [
            {"id": uuid.uuid4(), "post_id": p, "attempt": 1, "status": TaskStatus.succeeded}
            for p, _, _ in posts
        ],
        seeded,
    )
    _put(
        engine,
        "analytics_snapshots",
        [
            {
                "id": uuid.uuid4(),
                "post_id": p,
                "platform": PLATFORMS[n % len(PLATFORMS)],
                "captured_at": at + timedelta(days=2),
                "metrics_json": {"views": rng.randint(50, 5000), "likes": rng.randint(0, 400)},
            }
            for n, (p, at, _) in enumerate(posts)
        ],
        seeded,
    )
    _put(
        engine,
        "event_logs",
        [
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "agent_id": runs[i % len(runs)][1],
                "run_id": runs[i // 10][0],
                "event_type": EventType.node_finished,
                "subject_type": SubjectType.run,
                "message": "node finished",
                "created_at": runs[i // 10][2] + timedelta(seconds=i % 10),
            }
            for i in range(rows)
        ],
        seeded,
    )
    _put(
        engine,
        "weekly_reports",
        [
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "agent_id": agent,
                "run_id": run_id,
                "week_start": started.date(),
                "week_end": started.date() + timedelta(days=6),
                "insights": "Web3 security led the week.",
            }
            for run_id, agent, started in cal_runs
        ],
        seeded,
    )
    _put(
        engine,
        "notifications",
        [
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "type": NotificationType.weekly_report_ready,
                "is_read": i > 20,
                "created_at": END - timedelta(hours=i),
            }
            for i in range(rows // 20)
        ],
        seeded,
    )
    return seeded

"""Metrics snapshots, the agent's published posts with their latest metrics, ratings, weekly
reports and strategy updates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import FeedbackSubject, Platform, PublishStatus
from db.models import (
    AITwin,
    AnalyticsSnapshot,
    CalendarItem,
    Campaign,
    ContentCalendar,
    Feedback,
    Post,
    Script,
    StrategyUpdate,
    VideoReel,
    WeeklyReport,
)


@dataclass(frozen=True)
class PublishedPost:
    """A published post of an agent, the decisions behind it and its latest metrics."""

    post_id: uuid.UUID
    platform: str
    title: str
    url: str | None
    published_at: datetime
    metrics: dict[str, Any] | None
    pillar: str
    topic: str
    hook_category: str
    tone: str
    twin: str
    length_sec: float | None
    campaign: str = ""
    """The campaign the post's week belonged to ("" for none)."""


def published_posts(
    *, session: Session, agent_id: uuid.UUID, end: datetime | None = None
) -> list[PublishedPost]:
    """Every post of the agent's calendars published before ``end``, oldest first, in one query."""
    latest = (
        select(AnalyticsSnapshot.post_id, func.max(AnalyticsSnapshot.captured_at).label("at"))
        .group_by(AnalyticsSnapshot.post_id)
        .subquery()
    )
    stmt = (
        select(
            Post,
            VideoReel,
            CalendarItem,
            AITwin.name,
            AnalyticsSnapshot.metrics_json,
            Campaign.name,
        )
        .join(VideoReel, VideoReel.id == Post.reel_id)
        .join(CalendarItem, CalendarItem.id == VideoReel.calendar_item_id)
        .join(ContentCalendar, ContentCalendar.id == CalendarItem.calendar_id)
        .outerjoin(AITwin, AITwin.id == CalendarItem.ai_twin_id)
        .outerjoin(Campaign, Campaign.id == CalendarItem.campaign_id)
        .outerjoin(latest, latest.c.post_id == Post.id)
        .outerjoin(
            AnalyticsSnapshot,
            (AnalyticsSnapshot.post_id == Post.id) & (AnalyticsSnapshot.captured_at == latest.c.at),
        )
        .where(
            ContentCalendar.agent_id == agent_id,
            Post.publish_status == PublishStatus.published,
            Post.published_at.isnot(None),
        )
        .order_by(Post.published_at, Post.id)
    )
    if end is not None:
        stmt = stmt.where(Post.published_at < end)
    result: list[PublishedPost] = []
    for post, reel, item, twin, metrics, campaign in session.execute(stmt):
        assert post.published_at is not None
        result.append(
            PublishedPost(
                post_id=post.id,
                platform=post.platform.value,
                title=reel.title,
                url=post.url,
                published_at=post.published_at,
                metrics=dict(metrics) if metrics is not None else None,
                pillar=item.content_pillar.value,
                topic=item.topic,
                hook_category=item.hook_category,
                tone=item.tone.value,
                twin=twin or "",
                length_sec=float(reel.length_sec) if reel.length_sec else None,
                campaign=campaign or "",
            )
        )
    return result


def latest_metrics(*, session: Session, post_id: uuid.UUID) -> dict[str, Any] | None:
    snap = session.scalar(
        select(AnalyticsSnapshot)
        .where(AnalyticsSnapshot.post_id == post_id)
        .order_by(AnalyticsSnapshot.captured_at.desc())
        .limit(1)
    )
    return dict(snap.metrics_json) if snap else None


def save_snapshot(
    *,
    session: Session,
    post_id: uuid.UUID,
    platform: Platform | str,
    captured_at: datetime,
    metrics: dict[str, Any],
) -> AnalyticsSnapshot:
    """One metrics reading; a second reading at the same instant replaces the first."""
    row = session.scalar(
        select(AnalyticsSnapshot).where(
            AnalyticsSnapshot.post_id == post_id, AnalyticsSnapshot.captured_at == captured_at
        )
    )
    if row is None:
        row = AnalyticsSnapshot(
            post_id=post_id, platform=Platform(platform), captured_at=captured_at
        )
        session.add(row)
    row.metrics_json = dict(metrics)
    session.flush()
    return row


@dataclass(frozen=True)
class Rating:
    """A creator's rating of a script, reel or post, with the decisions behind what was rated."""

    feedback_id: uuid.UUID
    rating: int
    comment: str
    created_at: datetime
    pillar: str
    topic: str
    hook_category: str
    tone: str
    twin: str
    length_sec: float


def ratings(*, session: Session, agent_id: uuid.UUID) -> list[Rating]:
    """Ratings of the agent's scripts, reels and posts, oldest first."""
    result: list[Rating] = []
    stmt = select(Feedback).where(Feedback.subject_type != FeedbackSubject.agent)
    for row in session.scalars(stmt.order_by(Feedback.created_at, Feedback.id)):
        item, reel = _rated(session, row.subject_type, row.subject_id)
        if item is None:
            continue
        calendar = session.get(ContentCalendar, item.calendar_id)
        if calendar is None or calendar.agent_id != agent_id:
            continue
        twin = session.get(AITwin, item.ai_twin_id) if item.ai_twin_id else None
        result.append(
            Rating(
                feedback_id=row.id,
                rating=row.rating,
                comment=row.comment or "",
                created_at=row.created_at,
                pillar=item.content_pillar.value,
                topic=item.topic,
                hook_category=item.hook_category,
                tone=item.tone.value,
                twin=twin.name if twin else "",
                length_sec=float(reel.length_sec if reel else item.target_length_sec),
            )
        )
    return result


def _rated(
    session: Session, subject: FeedbackSubject, subject_id: str
) -> tuple[CalendarItem | None, VideoReel | None]:
    try:
        key = uuid.UUID(subject_id)
    except ValueError:
        return None, None
    reel: VideoReel | None = None
    if subject == FeedbackSubject.post:
        post = session.get(Post, key)
        reel = session.get(VideoReel, post.reel_id) if post else None
    elif subject == FeedbackSubject.reel:
        reel = session.get(VideoReel, key)
    elif subject == FeedbackSubject.script:
        script = session.get(Script, key)
        item_id = script.calendar_item_id if script else None
        return (session.get(CalendarItem, item_id) if item_id else None), None
    item_id = reel.calendar_item_id if reel else None
    return (session.get(CalendarItem, item_id) if item_id else None), reel


def report_for_week(
    *, session: Session, agent_id: uuid.UUID, week_start: date
) -> WeeklyReport | None:
    return session.scalar(
        select(WeeklyReport).where(
            WeeklyReport.agent_id == agent_id, WeeklyReport.week_start == week_start
        )
    )


def save_weekly_report(
    *,
    session: Session,
    user_id: uuid.UUID,
    agent_id: uuid.UUID,
    run_id: uuid.UUID,
    week_start: date,
    week_end: date,
    aggregate: dict[str, Any],
    top_posts: list[dict[str, Any]],
    insights: str,
    analysis: dict[str, Any],
    files: dict[str, str],
) -> WeeklyReport:
    """The week's report, one per agent and week (a re-run rewrites it)."""
    report = report_for_week(session=session, agent_id=agent_id, week_start=week_start)
    if report is None:
        report = WeeklyReport(
            user_id=user_id, agent_id=agent_id, week_start=week_start, week_end=week_end
        )
        session.add(report)
    report.run_id = run_id
    report.week_end = week_end
    report.aggregate_metrics_json = aggregate
    report.top_posts = top_posts
    report.insights = insights
    report.analysis_json = analysis
    report.markdown_uri = files.get("md")
    report.html_uri = files.get("html")
    report.pdf_uri = files.get("pdf")
    session.flush()
    return report


def latest_strategy(
    *, session: Session, agent_id: uuid.UUID, before: date | None = None
) -> StrategyUpdate | None:
    """The strategy in force on ``before`` (the newest one when None)."""
    stmt = select(StrategyUpdate).where(StrategyUpdate.agent_id == agent_id)
    if before is not None:
        stmt = stmt.where(StrategyUpdate.effective_start_date <= before)
    return session.scalar(
        stmt.order_by(
            StrategyUpdate.effective_start_date.desc(), StrategyUpdate.created_at.desc()
        ).limit(1)
    )


def save_strategy_update(
    *,
    session: Session,
    user_id: uuid.UUID,
    agent_id: uuid.UUID,
    source_report_id: uuid.UUID | None,
    effective_start: date,
    adjustments: dict[str, Any],
    evidence: dict[str, Any],
) -> StrategyUpdate:
    """The strategy learned from a report (one per report: a re-run rewrites it)."""
    update = (
        session.scalar(
            select(StrategyUpdate).where(StrategyUpdate.source_report_id == source_report_id)
        )
        if source_report_id is not None
        else None
    )
    if update is None:
        update = StrategyUpdate(
            user_id=user_id,
            agent_id=agent_id,
            source_report_id=source_report_id,
            effective_start_date=effective_start,
        )
        session.add(update)
    update.adjustments_json = adjustments
    update.evidence_json = evidence
    update.effective_start_date = effective_start
    session.flush()
    return update


__all__ = [
    "PublishedPost",
    "Rating",
    "latest_metrics",
    "latest_strategy",
    "published_posts",
    "ratings",
    "report_for_week",
    "save_snapshot",
    "save_strategy_update",
    "save_weekly_report",
]

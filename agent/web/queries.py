"""Read models for the pages: plain dicts built from the database, one function per view (the
calendar page's lives in :mod:`agent.web.calendar_queries` and is re-exported here)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from agent.strategy.weeks import week_key
from agent.web.calendar_queries import current_week, week_calendar
from agent.web.schedule import next_scheduled_run
from db.enums import ApprovalStatus, ConsentType, PublishStatus, RunStatus
from db.models import (
    Agent,
    AgentRun,
    CalendarItem,
    ConsentRecord,
    ContentCalendar,
    IntegrationKey,
    Notification,
    Post,
    SocialAccount,
    VideoReel,
    WeeklyReport,
)
from db.repo.identity import agent_policy

CONSENT_TYPES = [ConsentType.voice_cloning, ConsentType.likeness_modeling]


def agents_of(session: Session, user_id: uuid.UUID) -> list[Agent]:
    return list(
        session.scalars(select(Agent).where(Agent.user_id == user_id).order_by(Agent.created_at))
    )


def headline(report: WeeklyReport | None) -> str | None:
    """The first line of a report's insights (its headline)."""
    if report is None or not report.insights:
        return None
    return report.insights.splitlines()[0]


def dashboard(session: Session, user_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    """Agent states, next runs, the latest report headline and counts."""
    agents = agents_of(session, user_id)
    agent_ids = [a.id for a in agents]
    agent_rows = []
    for agent in agents:
        policy = agent_policy(agent)
        agent_rows.append(
            {
                "id": str(agent.id),
                "name": agent.name,
                "state": agent.state.value,
                "approval_mode": policy.approval_mode.value,
                "posts_per_week": policy.posts_per_week,
                "next_run": next_scheduled_run(agent.schedule_json, now),
            }
        )
    report = session.scalar(
        select(WeeklyReport)
        .where(WeeklyReport.user_id == user_id)
        .order_by(WeeklyReport.week_start.desc(), WeeklyReport.created_at.desc())
        .limit(1)
    )
    posts = dict(
        session.execute(
            select(Post.publish_status, func.count())
            .where(Post.user_id == user_id)
            .group_by(Post.publish_status)
        ).all()
    )
    pending_reels = session.scalar(
        select(func.count())
        .select_from(VideoReel)
        .where(VideoReel.user_id == user_id, VideoReel.approval_status == ApprovalStatus.pending)
    )
    runs = (
        list(
            session.scalars(
                select(AgentRun)
                .where(AgentRun.agent_id.in_(agent_ids))
                .order_by(AgentRun.started_at.desc())
                .limit(8)
            )
        )
        if agent_ids
        else []
    )
    unread = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.is_read.is_(False))
    )
    return {
        "agents": agent_rows,
        "report": {
            "id": str(report.id),
            "week_start": report.week_start,
            "headline": headline(report),
        }
        if report
        else None,
        "counts": {
            "waiting_reels": int(pending_reels or 0),
            "waiting_runs": sum(1 for r in runs if r.status == RunStatus.waiting_review),
            "published": int(posts.get(PublishStatus.published, 0)),
            "scheduled": int(posts.get(PublishStatus.scheduled, 0)),
            "failed": int(posts.get(PublishStatus.failed, 0)),
            "unread": int(unread or 0),
        },
        "runs": [run_row(r) for r in runs],
    }


def run_row(run: AgentRun) -> dict[str, Any]:
    return {
        "id": str(run.id),
        "short": str(run.id)[:8],
        "week": run.week_key,
        "status": run.status.value,
        "node": run.current_node,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "summary": run.summary,
        "error": run.error_message,
        "trigger": run.trigger_type.value,
    }


def waiting_runs(session: Session, user_id: uuid.UUID) -> list[AgentRun]:
    """Runs of this user's agents that wait for review, oldest first."""
    return list(
        session.scalars(
            select(AgentRun)
            .join(Agent, Agent.id == AgentRun.agent_id)
            .where(Agent.user_id == user_id, AgentRun.status == RunStatus.waiting_review)
            .order_by(AgentRun.started_at)
        )
    )


def owned_run(session: Session, user_id: uuid.UUID, run_id: str) -> AgentRun | None:
    """The run with this id if it belongs to one of the user's agents."""
    try:
        rid = uuid.UUID(run_id)
    except ValueError:
        return None
    run = session.get(AgentRun, rid)
    if run is None:
        return None
    agent = session.get(Agent, run.agent_id)
    return run if agent is not None and agent.user_id == user_id else None


def run_posts(session: Session, run_id: uuid.UUID) -> list[dict[str, Any]]:
    """Posts of the reels this run made, with their reel and publish state."""
    rows = session.execute(
        select(Post, VideoReel)
        .join(VideoReel, VideoReel.id == Post.reel_id)
        .join(CalendarItem, CalendarItem.id == VideoReel.calendar_item_id)
        .join(ContentCalendar, ContentCalendar.id == CalendarItem.calendar_id)
        .where(ContentCalendar.run_id == run_id)
        .order_by(Post.scheduled_time)
    ).all()
    return [post_row(post, reel) for post, reel in rows]


def post_row(post: Post, reel: VideoReel) -> dict[str, Any]:
    return {
        "id": str(post.id),
        "reel": reel.title,
        "platform": post.platform.value,
        "status": post.publish_status.value,
        "scheduled": post.scheduled_time,
        "published": post.published_at,
        "url": post.url,
        "error": (post.error_json or {}).get("message") if post.error_json else None,
    }


def run_reels(session: Session, run_id: uuid.UUID) -> list[dict[str, Any]]:
    """Reels of this run with their approval state."""
    rows = session.execute(
        select(VideoReel)
        .join(CalendarItem, CalendarItem.id == VideoReel.calendar_item_id)
        .join(ContentCalendar, ContentCalendar.id == CalendarItem.calendar_id)
        .where(ContentCalendar.run_id == run_id)
        .order_by(CalendarItem.slot, VideoReel.created_at)
    ).scalars()
    return [
        {
            "id": str(r.id),
            "title": r.title,
            "approval": r.approval_status.value,
            "note": r.review_note,
        }
        for r in rows
    ]


def report_for_run(session: Session, run_id: uuid.UUID) -> WeeklyReport | None:
    return session.scalar(select(WeeklyReport).where(WeeklyReport.run_id == run_id).limit(1))


REPORTS_SHOWN = 260
"""Weekly reports listed (five years of one agent); older ones stay reachable by link."""


def reports(
    session: Session, user_id: uuid.UUID, limit: int = REPORTS_SHOWN
) -> list[dict[str, Any]]:
    """The newest reports, without their large JSON columns (the list shows none of them)."""
    rows = session.scalars(
        select(WeeklyReport)
        .options(
            load_only(
                WeeklyReport.id,
                WeeklyReport.week_start,
                WeeklyReport.week_end,
                WeeklyReport.insights,
                WeeklyReport.pdf_uri,
                WeeklyReport.html_uri,
                WeeklyReport.aggregate_metrics_json,
            )
        )
        .where(WeeklyReport.user_id == user_id)
        .order_by(WeeklyReport.week_start.desc())
        .limit(limit)
    )
    return [
        {
            "id": str(r.id),
            "week": week_key(r.week_start),
            "week_start": r.week_start,
            "week_end": r.week_end,
            "headline": headline(r),
            "has_pdf": bool(r.pdf_uri),
            "has_html": bool(r.html_uri),
            "posts": (r.aggregate_metrics_json or {}).get("posts"),
        }
        for r in rows
    ]


def owned_report(session: Session, user_id: uuid.UUID, report_id: str) -> WeeklyReport | None:
    try:
        rid = uuid.UUID(report_id)
    except ValueError:
        return None
    report = session.get(WeeklyReport, rid)
    return report if report is not None and report.user_id == user_id else None


def accounts(session: Session, user_id: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    """Social accounts with a status a creator understands."""
    result = []
    for acc in session.scalars(
        select(SocialAccount)
        .where(SocialAccount.user_id == user_id)
        .order_by(SocialAccount.platform, SocialAccount.handle)
    ):
        key = session.get(IntegrationKey, acc.integration_id) if acc.integration_id else None
        if not acc.is_connected:
            status, tone = "disconnected", "bad"
        elif key is None:
            status, tone = "no credentials", "bad"
        elif key.status.value != "connected":
            status, tone = key.status.value, "bad"
        elif key.token_expires_at is not None and key.token_expires_at <= now:
            status, tone = "token expired", "bad"
        else:
            status, tone = "connected", "good"
        published = session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.account_id == acc.id, Post.publish_status == PublishStatus.published)
        )
        result.append(
            {
                "platform": acc.platform.value,
                "handle": acc.handle,
                "status": status,
                "tone": tone,
                "expires": key.token_expires_at if key else None,
                "synced": acc.last_synced_at,
                "published": int(published or 0),
                "scopes": list(key.scopes) if key else [],
            }
        )
    return result


def consents(session: Session, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """Current state and history of each consent type the twin features need."""
    result = []
    for kind in CONSENT_TYPES:
        history = list(
            session.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.user_id == user_id, ConsentRecord.consent_type == kind)
                .order_by(ConsentRecord.granted_at.desc(), ConsentRecord.id.desc())
            )
        )
        result.append(
            {
                "type": kind.value,
                "label": kind.value.replace("_", " ").capitalize(),
                "granted": bool(history and history[0].granted),
                "history": [
                    {"granted": r.granted, "at": r.granted_at, "details": r.details}
                    for r in history[:5]
                ],
            }
        )
    return result


def notifications(session: Session, user_id: uuid.UUID, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )


__all__ = [
    "CONSENT_TYPES",
    "REPORTS_SHOWN",
    "accounts",
    "agents_of",
    "consents",
    "current_week",
    "dashboard",
    "headline",
    "notifications",
    "owned_report",
    "owned_run",
    "post_row",
    "report_for_run",
    "reports",
    "run_posts",
    "run_reels",
    "run_row",
    "waiting_runs",
    "week_calendar",
]

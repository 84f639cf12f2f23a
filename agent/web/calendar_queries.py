"""The calendar page's read model: one ISO week of planned items, grouped by day, each with its
latest reel, thumbnail and posts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.strategy.weeks import parse_week, week_key
from db.models import AITwin, CalendarItem, ContentCalendar, MediaAsset, Post, VideoReel

__all__ = ["current_week", "week_calendar"]


def week_calendar(session: Session, user_id: uuid.UUID, week: str) -> dict[str, Any]:
    """Calendar items of one ISO week (latest calendar version), grouped by day."""
    monday = parse_week(week)
    days = [monday + timedelta(days=i) for i in range(7)]
    calendars = list(
        session.scalars(
            select(ContentCalendar)
            .where(
                ContentCalendar.user_id == user_id,
                ContentCalendar.period_start <= days[-1],
                ContentCalendar.period_end >= monday,
            )
            .order_by(ContentCalendar.version.desc())
        )
    )
    latest: dict[tuple[Any, date], ContentCalendar] = {}
    for cal in calendars:
        latest.setdefault((cal.agent_id, cal.period_start), cal)
    items = (
        list(
            session.scalars(
                select(CalendarItem)
                .where(
                    CalendarItem.calendar_id.in_([c.id for c in latest.values()]),
                    CalendarItem.planned_date >= monday,
                    CalendarItem.planned_date <= days[-1],
                )
                .order_by(CalendarItem.planned_at, CalendarItem.slot)
            )
        )
        if latest
        else []
    )
    twins = {t.id: t.name for t in session.scalars(select(AITwin).where(AITwin.user_id == user_id))}
    by_day: dict[date, list[dict[str, Any]]] = {d: [] for d in days}
    for item in items:
        by_day.setdefault(item.planned_date, []).append(_calendar_item(session, item, twins))
    return {
        "week": week,
        "monday": monday,
        "previous": week_key(monday - timedelta(days=7)),
        "next": week_key(monday + timedelta(days=7)),
        "days": [{"date": d, "entries": by_day.get(d, [])} for d in days],
        "count": len(items),
    }


def _calendar_item(
    session: Session, item: CalendarItem, twins: dict[uuid.UUID, str]
) -> dict[str, Any]:
    reel = session.scalar(
        select(VideoReel)
        .where(VideoReel.calendar_item_id == item.id)
        .order_by(VideoReel.created_at.desc())
        .limit(1)
    )
    posts = list(session.scalars(select(Post).where(Post.reel_id == reel.id))) if reel else []
    thumb = (
        session.get(MediaAsset, reel.thumbnail_asset_id)
        if reel and reel.thumbnail_asset_id
        else None
    )
    return {
        "id": str(item.id),
        "time": item.planned_at.strftime("%H:%M"),
        "topic": item.topic,
        "pillar": item.content_pillar.value.replace("_", " "),
        "tone": item.tone.value.replace("_", " "),
        "twin": twins.get(item.ai_twin_id) if item.ai_twin_id else None,
        "platforms": list(item.planned_platforms),
        "status": item.status.value.replace("_", " "),
        "reel": reel.title if reel else None,
        "approval": reel.approval_status.value.replace("_", " ") if reel else None,
        "thumbnail": thumb.uri if thumb else None,
        "posts": [
            {"platform": p.platform.value, "status": p.publish_status.value, "url": p.url}
            for p in posts
        ],
    }


def current_week(now: datetime) -> str:
    return week_key(now.astimezone(UTC).date())

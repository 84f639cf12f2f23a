"""Calendars, items, trends, directives and strategy lookups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import DirectiveStatus, TrendSource
from db.models import (
    CalendarItem,
    ContentCalendar,
    Directive,
    HookTemplate,
    TrendSignal,
)


def calendar_for_run(*, session: Session, run_id: uuid.UUID) -> ContentCalendar | None:
    return session.scalar(select(ContentCalendar).where(ContentCalendar.run_id == run_id))


def next_calendar_version(*, session: Session, agent_id: uuid.UUID, period_start: date) -> int:
    current = session.scalar(
        select(func.max(ContentCalendar.version)).where(
            ContentCalendar.agent_id == agent_id, ContentCalendar.period_start == period_start
        )
    )
    return (current or 0) + 1


def items_of(*, session: Session, calendar_id: uuid.UUID) -> list[CalendarItem]:
    return list(
        session.scalars(
            select(CalendarItem)
            .where(CalendarItem.calendar_id == calendar_id)
            .order_by(CalendarItem.slot)
        )
    )


def active_directives(*, session: Session, agent_id: uuid.UUID) -> list[Directive]:
    return list(
        session.scalars(
            select(Directive)
            .where(Directive.agent_id == agent_id, Directive.status == DirectiveStatus.active)
            .order_by(Directive.created_at)
        )
    )


def add_directive(
    *, session: Session, agent_id: uuid.UUID, kind: str, value: dict[str, Any], text: str
) -> Directive:
    row = Directive(agent_id=agent_id, kind=kind, value_json=value, text=text)
    session.add(row)
    session.flush()
    return row


def remove_directive(*, session: Session, directive_id: uuid.UUID) -> bool:
    row = session.get(Directive, directive_id)
    if row is None or row.status == DirectiveStatus.removed:
        return False
    row.status = DirectiveStatus.removed
    return True


def hook_templates(*, session: Session) -> list[HookTemplate]:
    return list(
        session.scalars(
            select(HookTemplate).order_by(
                HookTemplate.effectiveness_score.desc(), HookTemplate.slug
            )
        )
    )


def upsert_trends(
    *, session: Session, trends: list[dict[str, Any]], collected_at: datetime
) -> list[TrendSignal]:
    """Store trend signals keyed by (source, topic, collected_at): re-running changes nothing.

    These rows carry no niche; ``db.repo.trends.upsert_signals`` stores a niche's scored signals.
    """
    rows: list[TrendSignal] = []
    for trend in trends:
        source = trend.get("source", "local_file")
        if source not in TrendSource.__members__:
            source = "local_file"
        row = session.scalar(
            select(TrendSignal).where(
                TrendSignal.niche == "",
                TrendSignal.source == source,
                TrendSignal.topic == trend["topic"],
                TrendSignal.collected_at == collected_at,
            )
        )
        if row is None:
            row = TrendSignal(
                source=source,
                source_name=str(trend.get("source_name") or "")[:200],
                link=trend.get("link"),
                topic=trend["topic"],
                platform_hint=trend.get("platform_hint"),
                score=float(trend["score"]),
                collected_at=collected_at,
                metadata_json={
                    "related_tags": trend.get("related_tags", []),
                    "velocity": trend.get("velocity", 0.0),
                    "region": trend.get("region", "global"),
                    "link": trend.get("link"),
                    "summary": trend.get("summary", ""),
                    "points": trend.get("points", []),
                },
            )
            session.add(row)
        rows.append(row)
    session.flush()
    return rows


def latest_trend(*, session: Session, topic: str) -> TrendSignal | None:
    """The newest signal collected for ``topic`` (its tags, link and points feed the script)."""
    return session.scalar(
        select(TrendSignal)
        .where(TrendSignal.topic == topic)
        .order_by(TrendSignal.collected_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class PlanRow:
    """One planned slot as stored: every decided field and the words written for it."""

    slot: int
    planned_date: date
    """The agent's local date of the slot."""
    planned_at: datetime
    platforms: list[str]
    pillar: str
    topic: str
    hook: str
    hook_category: str
    tone: str
    target_length_sec: int
    twin_id: uuid.UUID | None
    rationale: str


def save_plan(
    *,
    session: Session,
    user_id: uuid.UUID,
    agent_id: uuid.UUID,
    run_id: uuid.UUID,
    period_start: date,
    period_end: date,
    summary: str,
    rows: list[PlanRow],
    campaign_id: uuid.UUID | None = None,
) -> tuple[ContentCalendar, list[CalendarItem]]:
    """A new calendar version for the period, with its items (tied to the week's campaign)."""
    calendar = ContentCalendar(
        user_id=user_id,
        agent_id=agent_id,
        run_id=run_id,
        period_start=period_start,
        period_end=period_end,
        version=next_calendar_version(
            session=session, agent_id=agent_id, period_start=period_start
        ),
        strategy_summary=summary,
    )
    session.add(calendar)
    session.flush()
    items = [
        CalendarItem(
            calendar_id=calendar.id,
            slot=row.slot,
            planned_date=row.planned_date,
            planned_at=row.planned_at,
            planned_platforms=list(row.platforms),
            content_pillar=row.pillar,
            topic=row.topic,
            hook=row.hook,
            hook_category=row.hook_category,
            tone=row.tone,
            target_length_sec=row.target_length_sec,
            ai_twin_id=row.twin_id,
            rationale=row.rationale,
            campaign_id=campaign_id,
        )
        for row in rows
    ]
    session.add_all(items)
    session.flush()
    return calendar, items


__all__ = [
    "PlanRow",
    "active_directives",
    "add_directive",
    "calendar_for_run",
    "hook_templates",
    "items_of",
    "latest_trend",
    "next_calendar_version",
    "remove_directive",
    "save_plan",
    "upsert_trends",
]

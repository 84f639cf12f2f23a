"""Calendars, items, trends, directives and strategy lookups."""

from __future__ import annotations

import uuid
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
    StrategyUpdate,
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
            select(CalendarItem).where(CalendarItem.calendar_id == calendar_id).order_by(CalendarItem.slot)
        )
    )


def latest_strategy(*, session: Session, agent_id: uuid.UUID, before: date | None = None) -> StrategyUpdate | None:
    stmt = select(StrategyUpdate).where(StrategyUpdate.agent_id == agent_id)
    if before is not None:
        stmt = stmt.where(StrategyUpdate.effective_start_date <= before)
    return session.scalar(stmt.order_by(StrategyUpdate.effective_start_date.desc(), StrategyUpdate.created_at.desc()).limit(1))


def active_directives(*, session: Session, agent_id: uuid.UUID) -> list[Directive]:
    return list(
        session.scalars(
            select(Directive)
            .where(Directive.agent_id == agent_id, Directive.status == DirectiveStatus.active)
            .order_by(Directive.created_at)
        )
    )


def add_directive(*, session: Session, agent_id: uuid.UUID, kind: str, value: dict[str, Any], text: str) -> Directive:
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
    return list(session.scalars(select(HookTemplate).order_by(HookTemplate.effectiveness_score.desc(), HookTemplate.slug)))


def upsert_trends(*, session: Session, trends: list[dict[str, Any]], collected_at: datetime) -> list[TrendSignal]:
    """Store trend signals keyed by (source, topic, collected_at): re-running changes nothing."""
    rows: list[TrendSignal] = []
    for trend in trends:
        source = trend.get("source", "local_file")
        if source not in TrendSource.__members__:
            source = "local_file"
        row = session.scalar(
            select(TrendSignal).where(
                TrendSignal.source == source,
                TrendSignal.topic == trend["topic"],
                TrendSignal.collected_at == collected_at,
            )
        )
        if row is None:
            row = TrendSignal(
                source=source,
                topic=trend["topic"],
                platform_hint=trend.get("platform_hint"),
                score=float(trend["score"]),
                collected_at=collected_at,
                metadata_json={
                    "related_tags": trend.get("related_tags", []),
                    "velocity": trend.get("velocity", 0.0),
                    "region": trend.get("region", "global"),
                },
            )
            session.add(row)
        rows.append(row)
    session.flush()
    return rows

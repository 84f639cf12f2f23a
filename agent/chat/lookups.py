"""Database reads the chat tools share: waiting reels, calendars, directives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from agent.app.resources import Resources
from agent.app.runs import pending_review
from db.enums import DirectiveStatus, RunStatus
from db.models import AgentRun, ContentCalendar, Directive


@dataclass
class WaitingReel:
    """A reel waiting for review, with the run it belongs to."""

    run_id: uuid.UUID
    reel: dict[str, Any]

    @property
    def reel_id(self) -> str:
        return str(self.reel["reel_id"])

    def line(self) -> str:
        when = str(self.reel.get("planned_at", ""))[:16].replace("T", " ")
        quality = float(self.reel.get("quality_score", 0.0))
        return (
            f"{self.reel_id[:8]}  {self.reel['title']!r}  quality {quality:.2f}  planned {when} UTC"
        )


def waiting_reels(system: Resources, agent_id: uuid.UUID) -> list[WaitingReel]:
    """Every reel the agent's waiting runs ask about, oldest run first."""
    with system.sessions() as session:
        runs = list(
            session.scalars(
                select(AgentRun.id)
                .where(AgentRun.agent_id == agent_id, AgentRun.status == RunStatus.waiting_review)
                .order_by(AgentRun.started_at)
            )
        )
    found: list[WaitingReel] = []
    for run_id in runs:
        review = pending_review(system, run_id) or {}
        found.extend(WaitingReel(run_id, reel) for reel in review.get("reels", []))
    return found


def pick_reels(waiting: list[WaitingReel], ids: list[str], all_waiting: bool) -> list[WaitingReel]:
    """The waiting reels named by id prefixes (or all of them); unknown prefixes raise ValueError."""
    if all_waiting:
        return list(waiting)
    picked: list[WaitingReel] = []
    for prefix in ids:
        prefix = prefix.strip().lower()
        matches = [w for w in waiting if w.reel_id.startswith(prefix)]
        if len(matches) != 1:
            known = ", ".join(w.reel_id[:8] for w in waiting) or "none"
            raise ValueError(f"'{prefix}' matches {len(matches)} waiting reels (waiting: {known})")
        if matches[0] not in picked:
            picked.append(matches[0])
    return picked


def latest_calendar(
    system: Resources, agent_id: uuid.UUID, week_start: Any = None
) -> ContentCalendar | None:
    """The agent's newest calendar (or the newest version for the week starting ``week_start``)."""
    with system.sessions() as session:
        stmt = select(ContentCalendar).where(ContentCalendar.agent_id == agent_id)
        if week_start is not None:
            stmt = stmt.where(ContentCalendar.period_start == week_start)
        stmt = stmt.order_by(
            ContentCalendar.period_start.desc(), ContentCalendar.version.desc()
        ).limit(1)
        return session.scalar(stmt)


def directives_of(system: Resources, agent_id: uuid.UUID) -> list[Directive]:
    """The agent's active directives, oldest first."""
    with system.sessions() as session:
        return list(
            session.scalars(
                select(Directive)
                .where(Directive.agent_id == agent_id, Directive.status == DirectiveStatus.active)
                .order_by(Directive.created_at)
            )
        )


def describe_directive(row: Directive) -> str:
    """One line per directive: short id and what it says."""
    return f"{str(row.id)[:8]}  {row.text}"

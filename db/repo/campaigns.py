"""Campaigns: a goal, topics and a call to action over a date range of one agent's weeks."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import CampaignStatus, ProjectStatus
from db.models import Agent, Campaign, Project
from db.repo.identity import NotFoundError
from db.schemas import CampaignBrief

DEFAULT_PROJECT = "Campaigns"
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_ACTIVE = (CampaignStatus.planned, CampaignStatus.running)


def week_bounds(week: str | date) -> tuple[date, date]:
    """(Monday, Sunday) of an ISO week given as ``2026-W48`` or as any date in it.

    Raises:
        ValueError: The text is not an ISO week.
    """
    if isinstance(week, date):
        monday = week - timedelta(days=week.weekday())
    else:
        match = _ISO_WEEK.match(week.strip())
        if match is None:
            raise ValueError(f"{week!r} is not an ISO week: use YYYY-Www, e.g. 2026-W48")
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    return monday, monday + timedelta(days=6)


def ensure_project(*, session: Session, user_id: uuid.UUID, name: str, start_date: date) -> Project:
    """The user's project with this name, created (active, from ``start_date``) if missing."""
    project = session.scalar(
        select(Project).where(Project.user_id == user_id, Project.name == name)
    )
    if project is None:
        project = Project(
            user_id=user_id, name=name, start_date=start_date, status=ProjectStatus.active
        )
        session.add(project)
        session.flush()
    elif project.start_date > start_date:
        project.start_date = start_date
    return project


def create_campaign(
    *,
    session: Session,
    agent: Agent,
    name: str,
    start_date: date,
    end_date: date | None,
    goal: str,
    topics: list[str] | None = None,
    cta: str = "",
    platforms: list[str] | None = None,
    description: str = "",
    project_name: str = DEFAULT_PROJECT,
) -> Campaign:
    """A planned campaign for ``agent`` inside the user's project ``project_name``."""
    project = ensure_project(
        session=session, user_id=agent.user_id, name=project_name, start_date=start_date
    )
    campaign = Campaign(
        project_id=project.id,
        agent_id=agent.id,
        name=name,
        description=description,
        goal=goal,
        topics=list(topics or []),
        cta=cta,
        target_platforms=list(platforms or []),
        start_date=start_date,
        end_date=end_date,
        status=CampaignStatus.planned,
    )
    session.add(campaign)
    session.flush()
    return campaign


def list_campaigns(*, session: Session, agent_id: uuid.UUID) -> list[Campaign]:
    stmt = (
        select(Campaign)
        .where(Campaign.agent_id == agent_id)
        .order_by(Campaign.start_date, Campaign.name)
    )
    return list(session.scalars(stmt))


def get_campaign(*, session: Session, agent_id: uuid.UUID, name: str) -> Campaign:
    """The agent's campaign with this name (any case).

    Raises:
        NotFoundError: No such campaign; the message lists the campaigns there are.
    """
    campaigns = list_campaigns(session=session, agent_id=agent_id)
    for campaign in campaigns:
        if campaign.name.lower() == name.strip().lower():
            return campaign
    names = ", ".join(c.name for c in campaigns) or "none"
    raise NotFoundError(f"no campaign named {name!r}; campaigns: {names}")


def remove_campaign(*, session: Session, agent_id: uuid.UUID, name: str) -> Campaign:
    """Delete the campaign; calendar items and scripts that pointed to it keep their content."""
    campaign = get_campaign(session=session, agent_id=agent_id, name=name)
    session.delete(campaign)
    session.flush()
    return campaign


def brief(campaign: Campaign) -> CampaignBrief:
    return CampaignBrief(
        id=str(campaign.id),
        name=campaign.name,
        goal=campaign.goal,
        topics=list(campaign.topics),
        cta=campaign.cta,
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        platforms=list(campaign.target_platforms),
    )


def campaign_for(*, session: Session, agent: Agent, week: str | date) -> CampaignBrief | None:
    """The campaign that a week of ``agent`` belongs to, or None.

    A campaign counts when it is planned or running and its dates touch the week. When
    several do, the one covering most days of the week wins, then the one that started
    last (the newer push), then the name.

    Args:
        session: Open session.
        agent: Whose weeks.
        week: ``2026-W48`` or any date in the week.
    """
    monday, sunday = week_bounds(week)
    candidates = session.scalars(
        select(Campaign).where(
            Campaign.agent_id == agent.id,
            Campaign.status.in_(_ACTIVE),
            Campaign.start_date <= sunday,
        )
    )

    def days(c: Campaign) -> int:
        last = min(c.end_date or sunday, sunday)
        return (last - max(c.start_date, monday)).days + 1

    touching = [c for c in candidates if days(c) > 0]
    if not touching:
        return None
    best = max(touching, key=lambda c: (days(c), c.start_date, _reverse(c.name)))
    return brief(best)


def _reverse(name: str) -> tuple[int, ...]:
    """Sorts names backwards, so ``max`` picks the alphabetically first on a tie."""
    return tuple(-ord(ch) for ch in name.lower())

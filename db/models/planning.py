"""Projects, campaigns, calendars, trends, niches, hooks and directives (seed 003 s2, seed 001)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, created_at_col, updated_at_col, uuid_pk
from db.enums import (
    CalendarItemStatus,
    CampaignStatus,
    ContentPillar,
    DirectiveStatus,
    NicheTier,
    ProjectStatus,
    Tone,
    TrendSource,
)
from db.types import (
    JSONType,
    PlatformName,
    PlatformType,
    StringList,
    UTCDateTime,
    enum_column,
    utcnow,
)


def _fk(target: str) -> Any:
    return ForeignKey(target, ondelete="CASCADE")


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    objectives_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, "project_status"), default=ProjectStatus.active
    )
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("agent_id", "name"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("projects.id"), index=True)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), _fk("agents.id"), index=True)
    """The agent whose weekly plans this campaign shapes."""
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    """What the campaign is for, in the creator's words (e.g. "200 sign-ups for the course")."""
    topics: Mapped[list[str]] = mapped_column(StringList(), default=list)
    """Topics its weeks should cover."""
    cta: Mapped[str] = mapped_column(Text, default="")
    """The call to action its posts end with."""
    target_platforms: Mapped[list[str]] = mapped_column(StringList(), default=list)
    budget_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CampaignStatus] = mapped_column(
        enum_column(CampaignStatus, "campaign_status"), default=CampaignStatus.planned
    )
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class ContentCalendar(Base):
    __tablename__ = "content_calendars"
    __table_args__ = (UniqueConstraint("agent_id", "period_start", "version"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("users.id"), index=True)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), _fk("agents.id"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("projects.id", ondelete="SET NULL")
    )
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("agent_runs.id", ondelete="SET NULL")
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    strategy_summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()

    items: Mapped[list[CalendarItem]] = relationship(
        back_populates="calendar", passive_deletes=True, order_by="CalendarItem.slot"
    )


class CalendarItem(Base):
    __tablename__ = "calendar_items"
    __table_args__ = (UniqueConstraint("calendar_id", "slot"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    calendar_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("content_calendars.id"))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    slot: Mapped[int] = mapped_column(Integer)
    planned_date: Mapped[date] = mapped_column(Date, index=True)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    planned_platforms: Mapped[list[str]] = mapped_column(StringList(), default=list)
    content_pillar: Mapped[ContentPillar] = mapped_column(
        enum_column(ContentPillar, "content_pillar")
    )
    topic: Mapped[str] = mapped_column(String(300))
    hook: Mapped[str] = mapped_column(Text, default="")
    hook_category: Mapped[str] = mapped_column(String(64), default="")
    tone: Mapped[Tone] = mapped_column(enum_column(Tone, "tone"), default=Tone.educational)
    target_length_sec: Mapped[int] = mapped_column(Integer, default=20)
    ai_twin_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("ai_twins.id", ondelete="SET NULL")
    )
    script_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("scripts.id", ondelete="SET NULL")
    )
    status: Mapped[CalendarItemStatus] = mapped_column(
        enum_column(CalendarItemStatus, "calendar_item_status"), default=CalendarItemStatus.planned
    )
    rationale: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()

    calendar: Mapped[ContentCalendar] = relationship(back_populates="items")


class TrendSignal(Base):
    """A trending topic or news item, scored for a niche on the day it was collected."""

    __tablename__ = "trend_signals"
    __table_args__ = (
        UniqueConstraint("niche", "source", "topic", "collected_at"),
        Index("ix_trend_signals_niche_collected_at", "niche", "collected_at"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    source: Mapped[TrendSource] = mapped_column(enum_column(TrendSource, "trend_source"))
    """The kind of source (news, platform_trending, google_trends, local_file ...)."""
    source_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The configured source itself, e.g. ``rss:news.example/feed`` or ``youtube:US:28``."""
    niche: Mapped[str] = mapped_column(String(100), default="", server_default="")
    """Slug of the niche it was scored for; empty for signals stored before niches were used."""
    topic: Mapped[str] = mapped_column(String(300), index=True)
    link: Mapped[str | None] = mapped_column(String(2000))
    platform_hint: Mapped[PlatformName | None] = mapped_column(PlatformType())
    score: Mapped[float] = mapped_column(Float)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    metadata_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Niche(Base):
    """A content niche (seed 001)."""

    __tablename__ = "niches"
    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[NicheTier] = mapped_column(
        enum_column(NicheTier, "niche_tier"), default=NicheTier.tier2
    )
    keywords: Mapped[list[str]] = mapped_column(StringList(), default=list)
    created_at: Mapped[datetime] = created_at_col()


class HookTemplate(Base):
    """A proven opening line pattern with its track record (seed 001)."""

    __tablename__ = "hook_templates"
    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str] = mapped_column(String(64))
    template: Mapped[str] = mapped_column(Text)
    niche_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("niches.id", ondelete="SET NULL")
    )
    effectiveness_score: Mapped[float] = mapped_column(Float, default=0.5)
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    platform_scores: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class Directive(Base):
    """An explicit instruction from the creator; planning obeys it over learned preferences."""

    __tablename__ = "directives"
    __table_args__ = (Index("ix_directives_agent_status", "agent_id", "status"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    agent_id: Mapped[uuid.UUID] = mapped_column(Uuid(), _fk("agents.id"))
    kind: Mapped[str] = mapped_column(String(32))
    """more_topic, less_topic, avoid_weekday, twin_for_platform, tone_for_platform, note."""
    value_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[DirectiveStatus] = mapped_column(
        enum_column(DirectiveStatus, "directive_status"), default=DirectiveStatus.active
    )
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()

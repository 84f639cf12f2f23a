"""Metrics, reports, strategy, memory and feedback (seed 003 s6)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, created_at_col, updated_at_col, uuid_pk
from db.enums import FeedbackSubject
from db.types import JSONType, PlatformName, PlatformType, UTCDateTime, enum_column, utcnow


class AnalyticsSnapshot(Base):
    __tablename__ = "analytics_snapshots"
    __table_args__ = (
        Index("ix_analytics_snapshots_post_id_captured_at", "post_id", "captured_at"),
        UniqueConstraint("post_id", "captured_at"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    post_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("posts.id", ondelete="CASCADE"))
    platform: Mapped[PlatformName] = mapped_column(PlatformType())
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, default=utcnow)
    metrics_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    notes: Mapped[str | None] = mapped_column(Text)


class WeeklyReport(Base):
    __tablename__ = "weekly_reports"
    __table_args__ = (UniqueConstraint("agent_id", "week_start"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("agents.id", ondelete="CASCADE")
    )
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("agent_runs.id", ondelete="SET NULL")
    )
    week_start: Mapped[date] = mapped_column(Date, index=True)
    week_end: Mapped[date] = mapped_column(Date)
    aggregate_metrics_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    top_posts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    insights: Mapped[str] = mapped_column(Text, default="")
    analysis_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """Lifts with uncertainty along each decision dimension."""
    markdown_uri: Mapped[str | None] = mapped_column(Text)
    html_uri: Mapped[str | None] = mapped_column(Text)
    pdf_uri: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_col()


class StrategyUpdate(Base):
    __tablename__ = "strategy_updates"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    source_report_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("weekly_reports.id", ondelete="SET NULL"), unique=True
    )
    adjustments_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """Exactly seed 003 s13.1: topics_to_increase/reduce, platform_timing_updates, ..."""
    evidence_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    effective_start_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_col()


class AgentMemory(Base):
    __tablename__ = "agent_memories"
    id: Mapped[uuid.UUID] = uuid_pk()
    agent_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("agents.id", ondelete="CASCADE"), unique=True
    )
    vector_db_uri: Mapped[str] = mapped_column(Text)
    index_stats_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    retention_policy_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = created_at_col()
    updated_at: Mapped[datetime] = updated_at_col()


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    subject_type: Mapped[FeedbackSubject] = mapped_column(
        enum_column(FeedbackSubject, "feedback_subject")
    )
    subject_id: Mapped[str] = mapped_column(String(64))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_col()

"""Runs, events, errors and notifications (seed 003 s7.2 and s8)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, created_at_col, uuid_pk
from db.enums import (
    ErrorScope,
    EventType,
    NotificationType,
    RunResult,
    RunStatus,
    Severity,
    SubjectType,
    TriggerType,
)
from db.types import JSONType, UTCDateTime, enum_column, utcnow


class AgentRun(Base):
    """One weekly run of one agent = one LangGraph thread (thread id = run id)."""

    __tablename__ = "agent_runs"
    __table_args__ = (
        Index("ix_agent_runs_agent_id_started_at", "agent_id", "started_at"),
        Index("ix_agent_runs_started_at", "started_at"),
        Index("ix_agent_runs_status_started_at", "status", "started_at"),
        Index(
            "uq_agent_runs_one_active",
            "agent_id",
            unique=True,
            sqlite_where=text("status IN ('running', 'waiting_review')"),
            postgresql_where=text("status IN ('running', 'waiting_review')"),
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    agent_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("agents.id", ondelete="CASCADE"))
    trigger_type: Mapped[TriggerType] = mapped_column(enum_column(TriggerType, "trigger_type"))
    week_key: Mapped[str] = mapped_column(String(10))
    """ISO week the run plans, e.g. 2026-W48."""
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """Set for scheduled runs: at most one run per agent-week, guaranteed by the database."""
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, "run_status"), default=RunStatus.running
    )
    current_node: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[RunResult | None] = mapped_column(enum_column(RunResult, "run_result"))
    log_uri: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    error_message: Mapped[str | None] = mapped_column(Text)
    llm_calls: Mapped[int] = mapped_column(Integer, default=0)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    prompt_hashes_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    options_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    """``host:pid`` of the process driving the run, while it drives it."""
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The owner renews this while it drives; past it, the run is stale and may be taken over."""


class EventLog(Base):
    __tablename__ = "event_logs"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("agent_runs.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[EventType] = mapped_column(
        enum_column(EventType, "event_type", open_set=True)
    )
    subject_type: Mapped[SubjectType] = mapped_column(enum_column(SubjectType, "subject_type"))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    meta_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    scrubbed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When retention removed personal data from the message and meta (None: not yet)."""


class ErrorLog(Base):
    __tablename__ = "error_logs"
    id: Mapped[uuid.UUID] = uuid_pk()
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("agent_runs.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[ErrorScope] = mapped_column(enum_column(ErrorScope, "error_scope"))
    context_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    message: Mapped[str] = mapped_column(Text)
    stack_trace: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    severity: Mapped[Severity] = mapped_column(
        enum_column(Severity, "severity"), default=Severity.medium
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_notes: Mapped[str | None] = mapped_column(Text)
    scrubbed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When retention removed personal data from the message, context and trace."""


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[NotificationType] = mapped_column(
        enum_column(NotificationType, "notification_type")
    )
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    payload_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at_col()


class RateBucket(Base):
    """A fleet-wide token bucket (``agent.fleet.bucket``): every process on this database draws
    from the same ``tokens``, refilled by time since ``updated_at``."""

    __tablename__ = "rate_buckets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

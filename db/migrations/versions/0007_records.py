"""records: audit origin, scrub marks on logs, retention and listing indexes, new event types

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_OLD_EVENTS = [
    "node_started",
    "node_finished",
    "plan_created",
    "script_generated",
    "render_started",
    "render_succeeded",
    "render_failed",
    "approval_requested",
    "approval_recorded",
    "publish_scheduled",
    "publish_succeeded",
    "publish_failed",
    "analytics_collected",
    "report_written",
    "strategy_adjusted",
    "consent_refused",
    "error",
]
_NEW_EVENTS = [*_OLD_EVENTS, "retention_applied", "memory_compacted", "slow_query"]
_ORIGINS = ["cli", "web", "worker", "api"]
_BENCH_INDEXES = [
    ("posts", "ix_posts_scheduled_time", ["scheduled_time"]),  # twin posts
    # analyzing's published_posts, the dashboard's counts by state
    (
        "posts",
        "ix_posts_user_id_status_published_at",
        ["user_id", "publish_status", "published_at"],
    ),
    ("posts", "ix_posts_account_id_status", ["account_id", "publish_status"]),  # web accounts
    ("agent_runs", "ix_agent_runs_started_at", ["started_at"]),  # twin runs
    ("agent_runs", "ix_agent_runs_status_started_at", ["status", "started_at"]),  # inboxes
]
_RENAMED_ACTIONS = {"consent_granted": "consent.grant", "consent_revoked": "consent.revoke"}


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _event_type_check(values: list[str]) -> None:
    """Replace the CHECK of event_logs.event_type (SQLite rebuilds the table in batch mode)."""
    with op.batch_alter_table("event_logs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_event_logs_event_type"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_event_logs_event_type"), _in("event_type", values)
        )


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "origin",
                sa.Enum(
                    *_ORIGINS,
                    name="audit_origin",
                    native_enum=False,
                    create_constraint=True,
                    length=14,
                ),
                nullable=False,
                server_default="cli",
            )
        )
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_audit_log_action_created_at", ["action", "created_at"], unique=False
        )
    # Consent rows written before origins existed: the web app used "consent.grant/revoke".
    op.execute("UPDATE audit_log SET origin = 'web' WHERE action LIKE 'consent.%'")
    for old, new in _RENAMED_ACTIONS.items():
        op.execute(f"UPDATE audit_log SET action = '{new}' WHERE action = '{old}'")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("origin", server_default=None)

    with op.batch_alter_table("event_logs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scrubbed_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
    _event_type_check(_NEW_EVENTS)
    with op.batch_alter_table("error_logs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scrubbed_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_error_logs_occurred_at"), ["occurred_at"], unique=False
        )
    with op.batch_alter_table("media_assets", schema=None) as batch_op:
        batch_op.create_index("ix_media_assets_created_at", ["created_at"], unique=False)
    # Found by bench/queries.py at 100k rows (S004: p95 < 100 ms).
    for table, name, columns in _BENCH_INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(_BENCH_INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    with op.batch_alter_table("media_assets", schema=None) as batch_op:
        batch_op.drop_index("ix_media_assets_created_at")
    with op.batch_alter_table("error_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_error_logs_occurred_at"))
        batch_op.drop_column("scrubbed_at")
    placeholders = ", ".join(repr(v) for v in _NEW_EVENTS[len(_OLD_EVENTS) :])
    op.execute(f"DELETE FROM event_logs WHERE event_type IN ({placeholders})")
    _event_type_check(_OLD_EVENTS)
    with op.batch_alter_table("event_logs", schema=None) as batch_op:
        batch_op.drop_column("scrubbed_at")
    for old, new in _RENAMED_ACTIONS.items():
        op.execute(f"UPDATE audit_log SET action = '{old}' WHERE action = '{new}'")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_action_created_at")
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))
        batch_op.drop_constraint(op.f("ck_audit_log_audit_origin"), type_="check")
        batch_op.drop_column("origin")

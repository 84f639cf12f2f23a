"""event types as an open set; run leases and one active run per agent; replans cancel posts;
hook templates that promise what a video cannot keep

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00

``event_logs.event_type`` drops its CHECK constraint (new event types come with new code, and
each would otherwise need a migration); the application validates the values it writes.
``agent_runs`` gains a lease (owner, heartbeat, expiry) and a partial unique index: at most
one running or waiting run per agent (older duplicates from before are marked ``error``).
``cancelled`` joins the run and post statuses (a replan withdraws what had not gone out).
Two seeded hook templates claimed first-person experiences ("I lost a week to ...", "... I
use every week") and one used a verb that breaks with plural topics; their texts are
replaced where the creator has not edited them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_EVENT_TYPES = (
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
)
HOOKS = (  # slug, old template, new template
    (
        "story-mistake",
        "I lost a week to {topic} so you don't have to.",
        "Here is the {topic} mistake that costs people a week.",
    ),
    (
        "contrarian",
        "Unpopular opinion: {topic} is overrated. Here's why.",
        "Unpopular opinion: most advice on {topic} misses the point.",
    ),
    (
        "list-tools",
        "Five {topic} tricks I use every week.",
        "Three tricks for {topic} worth stealing.",
    ),
)


RUN_STATUSES = ("running", "waiting_review", "finished", "error")
POST_STATUSES = ("draft", "scheduled", "publishing", "published", "failed", "unconfirmed")
ACTIVE = "status IN ('running', 'waiting_review')"


def _status(values: tuple[str, ...], name: str, length: int) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def _old_type() -> sa.Enum:
    return sa.Enum(
        *OLD_EVENT_TYPES, name="event_type", native_enum=False, create_constraint=True, length=27
    )


def upgrade() -> None:
    with op.batch_alter_table("event_logs", schema=None) as batch_op:
        batch_op.alter_column(
            "event_type", existing_type=_old_type(), type_=sa.String(64), existing_nullable=False
        )
    hooks = sa.table("hook_templates", sa.column("slug"), sa.column("template"))
    for slug, old, new in HOOKS:
        op.execute(
            hooks.update().where(hooks.c.slug == slug, hooks.c.template == old).values(template=new)
        )
    with op.batch_alter_table("agent_runs", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=_status(RUN_STATUSES, "run_status", 22),
            type_=_status((*RUN_STATUSES, "cancelled"), "run_status", 22),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("heartbeat_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lease_expires_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.alter_column(
            "publish_status",
            existing_type=_status(POST_STATUSES, "publish_status", 19),
            type_=_status((*POST_STATUSES, "cancelled"), "publish_status", 19),
            existing_nullable=False,
        )
    # Older versions could leave several runs of one agent "running" (a killed process); the
    # newest stays, the others were lost to a crash and are marked so.
    op.execute(
        sa.text(
            "UPDATE agent_runs SET status = 'error', error_message = 'left running by a crash "
            "before runs held leases; superseded by a newer run' WHERE " + ACTIVE + " AND "
            "EXISTS (SELECT 1 FROM agent_runs AS newer WHERE newer.agent_id = agent_runs.agent_id "
            "AND newer.status IN ('running', 'waiting_review') AND newer.started_at > agent_runs.started_at)"
        )
    )
    op.create_index(
        "uq_agent_runs_one_active",
        "agent_runs",
        ["agent_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_agent_runs_one_active", table_name="agent_runs")
    op.execute(sa.text("UPDATE agent_runs SET status = 'error' WHERE status = 'cancelled'"))
    op.execute(
        sa.text("UPDATE posts SET publish_status = 'failed' WHERE publish_status = 'cancelled'")
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.alter_column(
            "publish_status",
            existing_type=_status((*POST_STATUSES, "cancelled"), "publish_status", 19),
            type_=_status(POST_STATUSES, "publish_status", 19),
            existing_nullable=False,
        )
    with op.batch_alter_table("agent_runs", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("lease_owner")
        batch_op.alter_column(
            "status",
            existing_type=_status((*RUN_STATUSES, "cancelled"), "run_status", 22),
            type_=_status(RUN_STATUSES, "run_status", 22),
            existing_nullable=False,
        )
    hooks = sa.table("hook_templates", sa.column("slug"), sa.column("template"))
    for slug, old, new in HOOKS:
        op.execute(
            hooks.update().where(hooks.c.slug == slug, hooks.c.template == new).values(template=old)
        )
    events = sa.table("event_logs", sa.column("event_type"))
    op.execute(events.delete().where(events.c.event_type.notin_(OLD_EVENT_TYPES)))
    with op.batch_alter_table("event_logs", schema=None) as batch_op:
        batch_op.alter_column(
            "event_type", existing_type=sa.String(64), type_=_old_type(), existing_nullable=False
        )

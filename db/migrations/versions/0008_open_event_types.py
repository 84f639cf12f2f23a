"""event types as an open set; hook templates that promise what a video cannot keep

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00

``event_logs.event_type`` drops its CHECK constraint (new event types come with new code, and
each would otherwise need a migration); the application validates the values it writes.
Two seeded hook templates claimed first-person experiences ("I lost a week to ...", "... I
use every week") and one used a verb that breaks with plural topics; their texts are
replaced where the creator has not edited them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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
            hooks.update()
            .where(hooks.c.slug == slug, hooks.c.template == old)
            .values(template=new)
        )


def downgrade() -> None:
    hooks = sa.table("hook_templates", sa.column("slug"), sa.column("template"))
    for slug, old, new in HOOKS:
        op.execute(
            hooks.update()
            .where(hooks.c.slug == slug, hooks.c.template == new)
            .values(template=old)
        )
    events = sa.table("event_logs", sa.column("event_type"))
    op.execute(events.delete().where(events.c.event_type.notin_(OLD_EVENT_TYPES)))
    with op.batch_alter_table("event_logs", schema=None) as batch_op:
        batch_op.alter_column(
            "event_type", existing_type=sa.String(64), type_=_old_type(), existing_nullable=False
        )

"""platforms are plain strings: drop the platform CHECK constraints

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:00:00

Publishers are plugins (entry-point group ``twin_agent.publishers``), so a platform column can
no longer list its values in a CHECK constraint: every platform column becomes VARCHAR(40) and
the application checks names against the publisher registry. Rows are kept as they are.

The worker no longer keeps an APScheduler job store in the database, so the table an older
worker created (outside the migrations) is dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BUILTIN = (
    "instagram",
    "facebook",
    "threads",
    "linkedin",
    "tiktok",
    "youtube_shorts",
    "fanbase",
    "spill",
    "sandbox",
)
"""The platforms the old CHECK constraints allowed (downgrade restores exactly these)."""

COLUMNS = [
    ("trend_signals", "platform_hint", True),
    ("integration_keys", "platform", False),
    ("social_accounts", "platform", False),
    ("posts", "platform", False),
    ("analytics_snapshots", "platform", False),
    ("engagement_actions", "platform", False),
]
"""(table, column, nullable) of every platform column."""

OLD_LENGTH = 22  # what sa.Enum(native_enum=False) gave the old columns


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS apscheduler_jobs")
    for table, column, nullable in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_platform"), type_="check")
            batch_op.alter_column(
                column,
                existing_type=sa.String(length=OLD_LENGTH),
                type_=sa.String(length=40),
                existing_nullable=nullable,
            )


def downgrade() -> None:
    bind = op.get_bind()
    allowed = ", ".join(f"'{name}'" for name in BUILTIN)
    for table, column, _ in COLUMNS:
        others = bind.execute(
            sa.text(
                f"SELECT DISTINCT {column} FROM {table} "
                f"WHERE {column} IS NOT NULL AND {column} NOT IN ({allowed})"
            )
        ).scalars()
        found = sorted(others)
        if found:
            raise RuntimeError(
                f"cannot downgrade: {table}.{column} holds plugin platforms {found}, which the "
                "older schema refuses; disconnect and delete those accounts first"
            )
    for table, column, nullable in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.String(length=40),
                type_=sa.String(length=OLD_LENGTH),
                existing_nullable=nullable,
            )
            batch_op.create_check_constraint("platform", sa.text(f"{column} IN ({allowed})"))

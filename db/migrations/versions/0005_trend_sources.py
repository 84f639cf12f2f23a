"""trend signals keep their source, link and niche

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trend_signals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source_name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("niche", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("link", sa.String(length=2000), nullable=True))
        batch_op.drop_constraint("uq_trend_signals_source_topic_collected_at", type_="unique")
        batch_op.create_unique_constraint(
            "uq_trend_signals_niche_source_topic_collected_at",
            ["niche", "source", "topic", "collected_at"],
        )
        batch_op.create_index(
            "ix_trend_signals_niche_collected_at", ["niche", "collected_at"], unique=False
        )


def downgrade() -> None:
    # The old key has no niche: keep only the signals stored without one.
    op.execute("DELETE FROM trend_signals WHERE niche <> ''")
    with op.batch_alter_table("trend_signals", schema=None) as batch_op:
        batch_op.drop_index("ix_trend_signals_niche_collected_at")
        batch_op.drop_constraint("uq_trend_signals_niche_source_topic_collected_at", type_="unique")
        batch_op.create_unique_constraint(
            "uq_trend_signals_source_topic_collected_at", ["source", "topic", "collected_at"]
        )
        batch_op.drop_column("link")
        batch_op.drop_column("niche")
        batch_op.drop_column("source_name")

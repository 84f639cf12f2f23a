"""fleet-wide token buckets

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-10 12:00:00

``rate_buckets`` holds one row per limited resource (chat model calls, ElevenLabs requests):
every worker of a fleet draws its tokens from the same row, so a limit holds across hosts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rate_buckets")),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")

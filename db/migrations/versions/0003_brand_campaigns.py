"""brand guidelines, campaign goals, twin media and disabled voices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00

- ``agents.brand_json``: the agent's brand guidelines (db.schemas.BrandGuidelines), kept
  beside its policy as seed 002 keeps them beside the company they belong to.
- ``campaigns.agent_id``, ``goal``, ``topics``, ``cta``: a campaign shapes one agent's weeks.
- ``media_assets.ai_twin_id``, ``tags``: likeness photos and clips, and tagged B-roll.
- ``voice_profiles.disabled_at``: a cloned voice whose consent was revoked stops speaking.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _empty_list() -> sa.TextClause:
    """The server default of an empty StringList: ``text[]`` on PostgreSQL, JSON elsewhere."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.text("'{}'::text[]")
    return sa.text("'[]'")


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("brand_json", json_type, nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.alter_column("brand_json", server_default=None)

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agent_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("goal", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(
            sa.Column("topics", db.types.StringList(), nullable=False, server_default=_empty_list())
        )
        batch_op.add_column(
            sa.Column("cta", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch_op.create_index(batch_op.f("ix_campaigns_agent_id"), ["agent_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_campaigns_agent_id_name"), ["agent_id", "name"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_campaigns_agent_id_agents"),
            "agents",
            ["agent_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        for name in ("goal", "topics", "cta"):
            batch_op.alter_column(name, server_default=None)

    with op.batch_alter_table("media_assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ai_twin_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("tags", db.types.StringList(), nullable=False, server_default=_empty_list())
        )
        batch_op.create_index(
            batch_op.f("ix_media_assets_ai_twin_id"), ["ai_twin_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_media_assets_ai_twin_id_ai_twins"),
            "ai_twins",
            ["ai_twin_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("media_assets", schema=None) as batch_op:
        batch_op.alter_column("tags", server_default=None)

    with op.batch_alter_table("voice_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disabled_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("voice_profiles", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")

    with op.batch_alter_table("media_assets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_media_assets_ai_twin_id_ai_twins"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_media_assets_ai_twin_id"))
        batch_op.drop_column("tags")
        batch_op.drop_column("ai_twin_id")

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_campaigns_agent_id_agents"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_campaigns_agent_id_name"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_campaigns_agent_id"))
        batch_op.drop_column("cta")
        batch_op.drop_column("topics")
        batch_op.drop_column("goal")
        batch_op.drop_column("agent_id")

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("brand_json")

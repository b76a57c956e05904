"""Screenings table.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(43), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("set_id", sa.String(40), nullable=False),
        sa.Column("set_version", sa.String(20), nullable=False),
        sa.Column("scoring_version", sa.String(20)),
        sa.Column("rules_version", sa.String(20)),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("second_language", sa.String(16)),
        sa.Column("institution", sa.String(40), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("step", sa.String(60), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("consent", sa.String(16), nullable=False),
        sa.Column("informed_of_rights", sa.Boolean()),
        sa.Column("result", sa.JSON()),
        sa.Column("referrals", sa.JSON()),
        sa.Column("slip_number", sa.String(24), unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_screenings_token", "screenings", ["token"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_screenings_token", table_name="screenings")
    op.drop_table("screenings")

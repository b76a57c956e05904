"""Training: a trainee rehearses a scenario on the real checklist's pages; the rehearsal is kept
here, apart from real screenings.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trainee_id", sa.Integer(), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("scenario_id", sa.String(80), nullable=False),
        sa.Column("step", sa.String(60), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("consent", sa.String(16), nullable=False),
        sa.Column("informed_of_rights", sa.Boolean(), nullable=True),
        sa.Column("scoring_version", sa.String(20), nullable=True),
        sa.Column("rules_version", sa.String(20), nullable=True),
        sa.Column("locale", sa.String(16), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("referrals", sa.JSON(), nullable=True),
        sa.Column("slip_number", sa.String(24), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("trainee_id", "scenario_id"),
    )
    op.create_index("ix_training_runs_trainee_id", "training_runs", ["trainee_id"])


def downgrade() -> None:
    op.drop_table("training_runs")

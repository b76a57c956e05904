"""Training mode: class sessions, trainees and their attempts, apart from real screenings.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("trainer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("scenario_ids", sa.JSON(), nullable=False),
        sa.Column("place", sa.String(120), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_training_sessions_code", "training_sessions", ["code"], unique=True)
    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("training_sessions.id"), nullable=False),
        sa.Column("token", sa.String(43), nullable=False, unique=True),
        sa.Column("display_name", sa.String(40), nullable=False),
        sa.Column("profession", sa.String(30), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_trainees_session_id", "trainees", ["session_id"])
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trainee_id", sa.Integer(), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("scenario_id", sa.String(80), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("trainee_id", "scenario_id"),
    )
    op.create_index("ix_training_attempts_trainee_id", "training_attempts", ["trainee_id"])


def downgrade() -> None:
    op.drop_table("training_attempts")
    op.drop_table("trainees")
    op.drop_table("training_sessions")

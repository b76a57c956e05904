"""The referral slip's PDF, laid out once per screening, language and content, for every worker.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slip_pdfs",
        sa.Column("screening_id", sa.Integer(), sa.ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("screening_id", "locale"),
    )


def downgrade() -> None:
    op.drop_table("slip_pdfs")

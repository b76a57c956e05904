"""A one-time start key per screening, so a repeated "Start" opens the same screening.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("start_key", sa.String(43)))
        batch.create_unique_constraint("uq_screenings_start_key", ["start_key"])


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_constraint("uq_screenings_start_key", type_="unique")
        batch.drop_column("start_key")

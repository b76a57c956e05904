"""The hash of an API request's canonical body, so a repeat with another body is refused.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("request_hash", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("request_hash")

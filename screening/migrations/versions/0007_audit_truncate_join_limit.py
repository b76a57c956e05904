"""The audit trail also refuses TRUNCATE (PostgreSQL); wrong join codes are counted per address.

A row trigger does not fire on TRUNCATE, so 0003 left `TRUNCATE audit_events` open. SQLite has no
TRUNCATE: its `DELETE FROM audit_events` without WHERE still fires the row triggers of 0003.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The function of 0003 only raises, so it serves a statement trigger as well as a row trigger.
NO_TRUNCATE_TRIGGER_PG = """
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NO_TRUNCATE_TRIGGER_PG)
    op.create_table(
        "join_addresses",
        sa.Column("address_key", sa.String(64), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("join_addresses")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")

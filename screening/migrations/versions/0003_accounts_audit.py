"""Users, login sessions, the append-only audit trail; screenings record their creator and erasure.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER audit_events_{op}_refused BEFORE {OP} ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
"""
APPEND_ONLY_FUNCTION_PG = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER_PG = """
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("institution", sa.String(40), nullable=False),
        sa.Column("municipality", sa.String(40)),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_users_username", "users", ["username"], unique=True)
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(60)),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("object_type", sa.String(20)),
        sa.Column("object_id", sa.String(60)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("training", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("created_by_id", sa.Integer()))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True)))
        batch.create_foreign_key("fk_screenings_created_by", "users", ["created_by_id"], ["id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION_PG)
        op.execute(APPEND_ONLY_TRIGGER_PG)
    else:
        for name in ("update", "delete"):
            op.execute(APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    with op.batch_alter_table("screenings") as batch:
        batch.drop_constraint("fk_screenings_created_by", type_="foreignkey")
        batch.drop_column("erased_at")
        batch.drop_column("created_by_id")
    op.drop_table("audit_events")
    op.drop_table("user_sessions")
    op.drop_table("users")

"""The PostgreSQL role the app runs as: it reads and writes the app's tables but owns none of them.

The owner (who runs the migrations) can disable a trigger or drop a table; the app's role cannot.
So the app's role may only read and append to the audit trail, and a compromised app server cannot
empty it: UPDATE, DELETE and TRUNCATE are not granted, and ``ALTER TABLE ... DISABLE TRIGGER`` needs
ownership.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Engine

from screening import models  # noqa: F401  (registers the tables)
from screening.db import Base

#: Tables the app may read and add to, never change.
APPEND_ONLY_TABLES = frozenset({"audit_events"})
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class AppRoleError(Exception):
    """The role cannot be granted the app's rights (explained in the message)."""


def grant_statements(role: str, tables: list[str]) -> list[str]:
    """The GRANT and REVOKE statements that give ``role`` the app's rights, and no more."""
    statements = [f"GRANT USAGE ON SCHEMA public TO {role}"]
    for table in sorted(tables):
        if table in APPEND_ONLY_TABLES:
            statements.append(f"REVOKE ALL ON TABLE {table} FROM {role}")
            statements.append(f"GRANT SELECT, INSERT ON TABLE {table} TO {role}")
        else:
            statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {table} TO {role}")
    statements.append(f"GRANT SELECT ON TABLE alembic_version TO {role}")  # start-up checks the schema version
    statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")  # new row ids
    return statements


def grant_app_role(engine: Engine, role: str) -> list[str]:
    """Grant ``role`` the app's rights on the current schema; returns the statements run.

    Run it as the owner after every ``screening init-db``: a new table needs its grant.
    """
    if engine.dialect.name != "postgresql":
        raise AppRoleError("database roles exist only on PostgreSQL; on SQLite, protect the database file")
    if not ROLE_NAME.match(role):
        raise AppRoleError("use a role name of lower-case letters, digits and underscores")
    with engine.begin() as connection:
        superuser = connection.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role})
        if superuser is None:
            raise AppRoleError(f"no role {role}: create it first (CREATE ROLE {role} LOGIN PASSWORD '...')")
        if superuser:
            raise AppRoleError(f"{role} is a superuser, which no grant can limit: use an ordinary role")
        owner = connection.scalar(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'"))
        if owner is None:
            raise AppRoleError("the schema is missing: run `screening init-db` as the owner first")
        if owner == role:
            raise AppRoleError(f"{role} owns the tables: the app must connect as another role")
        statements = grant_statements(role, list(Base.metadata.tables))
        for statement in statements:
            connection.execute(text(statement))
    return statements

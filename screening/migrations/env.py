"""Alembic environment: the engine comes from the app (``db.alembic_config``)."""

from alembic import context

from screening import models  # noqa: F401  (registers the tables)
from screening.db import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()

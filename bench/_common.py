"""What the benchmarks share: the fresh database each one runs on."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def database(kind: str, folder: Path, postgres: str, *, sqlite_file: str, prefix: str) -> Iterator[str]:
    """The URL of a fresh database: a SQLite file ``sqlite_file`` in ``folder``, or a new database
    ``<prefix>_<UTC time>_<pid>`` on the PostgreSQL server at ``postgres``, dropped afterwards
    (with any connection still open to it)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / sqlite_file}"
        return
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}_{os.getpid()}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"{postgres.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

"""Database engine and sessions, bound to the app in ``init_app`` (never at import)."""

from __future__ import annotations

import logging
import select
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    pass


class DatabaseError(Exception):
    """The database URL is wrong or the database cannot be reached."""


def make_engine(url: str) -> Engine:
    try:
        # pre_ping: after a database outage, a worker's pooled connections are checked, not trusted
        # (a SQLite file cannot go away under an open connection: no ping, a query less per request).
        # hide_parameters: an error's message (and so the error log) never holds the bound values,
        # which can be user names, tokens, answers or a profile.
        server = make_url(url).get_backend_name() != "sqlite"
        engine = create_engine(url, pool_pre_ping=server, hide_parameters=True)
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise DatabaseError(f"invalid database URL: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if engine.dialect.name == "postgresql":
        _ping_only_when_the_socket_stirs(engine.dialect)
    return engine


def _ping_only_when_the_socket_stirs(dialect: Any) -> None:
    """Make the pre-ping a round trip only when the pooled connection's socket has something to read.

    An idle connection in the pool receives nothing unless the server closed it (a restart, an
    outage, an idle timeout: the server's goodbye and the end of the stream are then waiting) or
    sent a notice; so a socket with nothing to read needs no ``SELECT 1``, which cost a round trip
    (about 0.1 ms of the worker's CPU) on every request. Anything else, or a socket that cannot be
    polled, is pinged as before. A link that died without a word from the server (no FIN) is
    found by the request's first statement instead, as it would be without the pre-ping.
    """
    ping = dialect.do_ping

    def do_ping(dbapi_connection: Any) -> bool:
        try:
            readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        except (OSError, ValueError, AttributeError):
            readable = [True]
        return True if not readable else bool(ping(dbapi_connection))

    dialect.do_ping = do_ping


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Writers take turns; under a burst (many logins at once) wait up to 15 s, not Python's 5 s.
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # imported here: serving requests never needs Alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def init_app(app: Flask, engine: Engine) -> None:
    app.extensions["screening.engine"] = engine
    app.extensions["screening.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["screening.sessionmaker"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    """End the request's session. This runs after the response is made: if the database went away
    meanwhile, the ROLLBACK fails, and raising here would replace the app's answer (its 503 page and
    headers) by the server's bare 500. Whatever was committed stays; the connection is dropped."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except SQLAlchemyError:
        log.warning("database connection lost while ending the request; connection discarded")
        session.invalidate()

"""Fixtures: a fresh database (SQLite in tmp_path, or a new database on the shared PostgreSQL
server) with a screener, and gunicorn serving the app on it. Every server is ended at teardown."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL
from tests.reliability.harness import (
    Server,
    fresh_postgres_database,
    postgres_server_url,
    prepare_database,
)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    url = postgres_server_url()
    if url is None:
        if os.environ.get("POSTGRES_TEST_REQUIRED"):
            pytest.fail(f"PostgreSQL is required here but not reachable at {POSTGRES_URL}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with the schema and one screener (``officer``)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'screening.sqlite'}"
        prepare_database(url)
        yield url
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_server")) as url:
        prepare_database(url)
        yield url


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start gunicorn servers; each one started here is stopped at teardown, whatever happened."""
    started: list[Server] = []

    def start(database_url: str, secret_key: str | None = None) -> Server:
        server = Server(tmp_path / f"server{len(started)}", database_url, secret_key)
        started.append(server)
        return server.start()

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def server(servers: Callable[..., Server], database_url: str) -> Server:
    return servers(database_url)

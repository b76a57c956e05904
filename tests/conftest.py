"""Shared fixtures: the shipped content (loaded once), an app on a fresh database per test, on
SQLite and on PostgreSQL, and a test client that carries CSRF tokens like a browser."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from screening.core.loading import load_content
from screening.core.model import Content

ROOT = Path(__file__).resolve().parents[1]
#: The versions of the general set that ship, oldest first, the newest the default: a release of the
#: sets adds its version here (the CLI, the API, /healthz and the content loader must all list it).
GENERAL_VERSIONS = (
    "2025.1",
    "2026.1",
    "2026.2",
    "2026.3",
    "2026.4",
    "2026.5",
    "2026.6",
    "2026.7",
    "2026.8",
    "2026.9",
    "2026.10",
    "2026.11",
    "2026.12",
    "2026.13",
    "2026.14",
    "2026.15",
    "2026.16",
)
POSTGRES_URL = os.environ.get("POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/screening_test")


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(ROOT)


def _postgres_available() -> str | None:
    """The PostgreSQL URL when reachable (creating the database if needed), else None."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
        return POSTGRES_URL
    except OperationalError:
        pass
    base, _, name = POSTGRES_URL.rpartition("/")
    try:
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return POSTGRES_URL
    except OperationalError:
        return None


def _postgres_admin(url: str) -> Engine:
    """An autocommit engine on the server of ``url``, for CREATE and DROP DATABASE."""
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A database migrated once per run, named after POSTGRES_TEST_URL's, that each test clones.

    Cloning a migrated template gives each test an untouched database without emptying the audit
    trail, which refuses DELETE and TRUNCATE by design. Other runs use other databases: every name
    here derives from POSTGRES_TEST_URL's database name.
    """
    url = _postgres_available()
    if url is None:
        if os.environ.get("POSTGRES_TEST_REQUIRED"):
            pytest.fail(f"PostgreSQL is required here but not reachable at {POSTGRES_URL}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    from screening.db import make_engine, upgrade

    base, _, name = url.rpartition("/")
    template = f"{name}_template"
    admin = _postgres_admin(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{template}"'))
    engine = make_engine(f"{base}/{template}")
    upgrade(engine)
    engine.dispose()  # a template cannot be cloned while anyone is connected to it
    yield template
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def _postgres_clone(template: str, suffix: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database cloned from the template, dropped afterwards."""
    base, _, name = POSTGRES_URL.rpartition("/")
    database = f"{name}_{suffix}"
    admin = _postgres_admin(POSTGRES_URL)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
    yield f"{base}/{database}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test (a clone of the template), dropped after."""
    with _postgres_clone(postgres_template, "case") as url:
        yield url


@pytest.fixture(scope="module")
def postgres_module_url(postgres_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database shared by the tests of one module (for module-scoped apps)."""
    with _postgres_clone(postgres_template, "module") as url:
        yield url


def make_app(tmp_path: Path, database_url: str | None = None, **settings: Any) -> Flask:
    from screening.app import create_app
    from screening.db import upgrade

    app = create_app(
        # Slips are laid out on download unless a test asks for render-ahead (test_slip_cache.py).
        {"env": "testing", "database_url": database_url, "slip_render_ahead": False, **settings},
        instance_path=str(tmp_path / "instance"),
    )
    upgrade(app.extensions["screening.engine"])
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "postgresql":
        application = make_app(tmp_path, request.getfixturevalue("postgres_url"))
        yield application
        application.extensions["screening.engine"].dispose()
    else:
        application = make_app(tmp_path)
        yield application
        application.extensions["screening.engine"].dispose()


class Client:
    """A test client that remembers the last page's CSRF token and follows the flow."""

    TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf: str | None = None
        self.last: Any = None

    #: Pages come in English unless a test picks a language (the app's default is Albanian).
    HEADERS: ClassVar[dict[str, str]] = {"Accept-Language": "en"}

    def get(self, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("headers", self.HEADERS)
        response = self.client.get(url, **kwargs)
        self._remember(response)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Any:
        payload = dict(data or {})
        if csrf and self.csrf and "csrf_token" not in payload:
            payload["csrf_token"] = self.csrf
        kwargs.setdefault("headers", self.HEADERS)
        response = self.client.post(url, data=payload, **kwargs)
        self._remember(response)
        return response

    def _remember(self, response: Any) -> None:
        self.last = response
        if response.mimetype == "text/html":
            match = self.TOKEN.search(response.get_data(as_text=True))
            if match:
                self.csrf = match.group(1)


PASSWORD = "tablet river lantern 42"


def make_user(app: Flask, username: str = "officer", role: str = "screener", institution: str = "police") -> str:
    """Create a user with a known password (no first-login change) and return the user name."""
    from screening import accounts
    from screening.web.vocabulary import INSTITUTIONS

    with app.extensions["screening.sessionmaker"]() as db:
        accounts.create_user(
            db,
            username,
            role=role,
            institution=institution,
            institutions=tuple(INSTITUTIONS),
            actor="test",
            password=PASSWORD,
        )
    return username


def login(client: Client, username: str, password: str = PASSWORD) -> Any:
    client.get("/login")
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def anonymous(app: Flask) -> Client:
    return Client(app.test_client())


@pytest.fixture
def client(app: Flask) -> Client:
    """A screener of the Kosovo Police, logged in."""
    browser = Client(app.test_client())
    response = login(browser, make_user(app))
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser

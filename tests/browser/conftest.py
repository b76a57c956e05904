"""Browser fixtures: the app served on a free local port, Debian's Chromium driven by Playwright,
and tablet-sized touch contexts in portrait and landscape.

Every test in this folder is marked ``browser``. Without /usr/bin/chromium the tests are skipped
with a reason, except under CI (``CI`` set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TABLET_SIZES = {"portrait": (768, 1024), "landscape": (1024, 768)}
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def _missing(reason: str) -> None:
    """Fail under CI, where the test dependencies must be installed; skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _make_app(tmp_path: Path, database_url: str | None = None, **settings: Any) -> Flask:
    """The same as ``make_app`` in tests/conftest.py (which is not importable as a module here)."""
    from screening.app import create_app
    from screening.db import upgrade

    app = create_app(
        # Slips are laid out on download unless a test asks for render-ahead (test_slip_cache.py).
        {"env": "testing", "database_url": database_url, "slip_render_ahead": False, **settings},
        instance_path=str(tmp_path / "instance"),
    )
    upgrade(app.extensions["screening.engine"])
    return app


@dataclass
class LiveServer:
    app: Flask
    url: str
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) as the server saw them

    def screenings(self) -> int:
        """How many screenings the database holds."""
        from sqlalchemy import text

        with self.app.extensions["screening.engine"].connect() as connection:
            return int(connection.execute(text("SELECT COUNT(*) FROM screenings")).scalar_one())

    def statuses(self) -> list[str]:
        from sqlalchemy import text

        with self.app.extensions["screening.engine"].connect() as connection:
            return [row[0] for row in connection.execute(text("SELECT status FROM screenings"))]


USERNAME = "officer"
PASSWORD = "tablet river lantern 42"


def visit(page: Any, url: str) -> None:
    """Open ``url``; when the app asks to log in first, log in as the test screener and go on."""
    page.goto(url)
    if "/login" in page.url:
        page.fill("#username", USERNAME)
        page.fill("#password", PASSWORD)
        page.locator("form .nav-buttons button[type=submit]").click()
        page.wait_for_url(lambda current: "/login" not in current)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a fresh SQLite database, served by werkzeug on 127.0.0.1 and a free port,
    with one screener of the Kosovo Police (``USERNAME`` / ``PASSWORD``)."""
    from screening import accounts
    from screening.web.vocabulary import INSTITUTIONS

    app = _make_app(tmp_path)
    with app.extensions["screening.sessionmaker"]() as db:
        accounts.create_user(
            db,
            USERNAME,
            role="screener",
            institution="police",
            institutions=tuple(INSTITUTIONS),
            actor="test",
            password=PASSWORD,
        )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    inner = app.wsgi_app

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        live.requests.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        return inner(environ, start_response)

    app.wsgi_app = recording  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.extensions["screening.engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} is missing: run `make test-deps` (bash .ci/test-deps) to install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _context(browser: Any, orientation: str) -> Any:
    width, height = TABLET_SIZES[orientation]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
        accept_downloads=True,
        bypass_csp=True,  # axe-core is injected as a script; the app's CSP (script-src 'self') would block it
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture(params=list(TABLET_SIZES))
def tablet(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A tablet browser context (touch, mobile, 2x), in portrait and in landscape."""
    context = _context(browser, request.param)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def portrait(browser: Any) -> Iterator[Any]:
    """One portrait tablet context, for tests where orientation does not matter."""
    context = _context(browser, "portrait")
    try:
        yield context
    finally:
        context.close()


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def check_accessibility(page: Any, label: str = "") -> None:
    """Run axe-core on the page; fail on any serious or critical violation."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core: serious or critical violations on {label or page.url}:\n{_describe(blocking)}"


@pytest.fixture(scope="session")
def axe() -> Any:
    """``axe(page, label)`` checks the page with axe-core (serious and critical impacts fail)."""
    if not AXE.is_file():
        _missing(f"{AXE} is missing: run `make test-deps` (bash .ci/test-deps) to install axe-core")
    return check_accessibility

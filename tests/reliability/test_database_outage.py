"""The database becomes unreachable in the middle of a screening: a translated "try again" page,
no lost draft, and the same step succeeds once the database is back.

The test starts a PostgreSQL cluster of its own (initdb, pg_ctl) under tmp_path on a free port and
stops and restarts it; the shared server is never touched.
"""

from __future__ import annotations

import gettext
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.reliability.harness import (
    ADULT_PROFILE,
    WORKERS,
    Cluster,
    Reply,
    Server,
    answers_for,
    checked,
    first_section,
    item_ids,
    logged_in,
    postgres_binaries,
    prepare_database,
    stored_screenings,
)

TRY_AGAIN = (
    "The server cannot reach its database just now. Nothing on this page was saved, but your earlier "
    "pages are kept. Wait a moment and send the page again."
)


def _sends_after_restart(url: str) -> int:
    """How many times the screener may have to send the page once the database is back.

    With ``pool_pre_ping`` the app tests a pooled connection before using it, so the first send
    succeeds. Without it, a worker whose pooled connections predate the outage finds them broken
    on first use and answers the try-again page once more before its pool is renewed, so any
    request may need one more send, once per worker. The test is strict (one send) as soon as
    the engine pre-pings.
    """
    from screening.db import make_engine

    engine = make_engine(url)
    try:
        return 1 if getattr(engine.pool, "_pre_ping", False) else WORKERS
    finally:
        engine.dispose()


def _unavailable(reason: str) -> None:
    """No cluster can be made here: a skip on a workstation, a failure in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"a throwaway PostgreSQL cluster is needed in CI: {reason}")
    pytest.skip(f"cannot start a throwaway PostgreSQL cluster: {reason}")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A running throwaway cluster, stopped and cleaned up at teardown (after gunicorn)."""
    binaries = postgres_binaries()
    if binaries is None:
        _unavailable("no initdb in /usr/lib/postgresql/*/bin or on PATH")
    assert binaries is not None
    made = Cluster(tmp_path / "pg", binaries)
    try:
        try:
            made.init()
            made.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            _unavailable(str(exc))
        yield made
    finally:
        made.cleanup()


def test_an_unreachable_database_loses_no_draft(cluster: Cluster, servers: Callable[..., Server]) -> None:
    prepare_database(cluster.url)
    server = servers(cluster.url)
    browser = logged_in(server, language="sq")
    token = browser.new_screening()
    safety = answers_for("safety")
    assert browser.save(token, "safety", safety).status == 302

    cluster.stop()
    refused = browser.save(token, "profile", ADULT_PROFILE)
    assert refused.status == 503, (refused.status, refused.text[-1500:])
    albanian = gettext.translation("messages", localedir=ROOT / "translations", languages=["sq"]).gettext(TRY_AGAIN)
    assert albanian != TRY_AGAIN, "the try-again message has no Albanian translation"
    assert albanian in refused.text
    assert '<html lang="sq"' in refused.body
    assert "Traceback" not in refused.text

    cluster.start()
    tries = _sends_after_restart(cluster.url)

    def sent(request: Callable[[], Reply]) -> Reply:
        for _ in range(tries):
            reply = request()
            if reply.status != 503:
                break
            assert albanian in reply.text  # only ever the same try-again page
        return reply

    again = sent(lambda: browser.save(token, "profile", ADULT_PROFILE))
    assert again.status == 302, (again.status, again.text[-1500:])
    assert again.location == f"/s/{token}/{first_section()}"

    (row,) = stored_screenings(cluster.url)
    assert row.status == "draft" and row.step == "profile"
    assert {item: row.answers.get(item) for item in item_ids("safety")} == dict.fromkeys(item_ids("safety"), "no")
    assert row.profile["complete"] and row.profile["age"] == 34
    page = sent(lambda: browser.get(f"/s/{token}/safety"))
    assert page.status == 200 and checked(page.body) == safety

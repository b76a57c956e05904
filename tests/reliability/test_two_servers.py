"""Two app servers (two gunicorn processes on different ports, the same secret key) against one
PostgreSQL database behave as one: a tablet sent to either by a reverse proxy keeps its login, its
draft, its one screening per start and per final tap, and the login throttle counts on both."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import PASSWORD
from tests.reliability.harness import (
    Browser,
    Reply,
    Server,
    acknowledged,
    answers_for,
    checked,
    completion_events,
    draft_pages,
    first_section,
    fresh_postgres_database,
    logged_in,
    prepare_database,
    run_threads,
    stored_screenings,
    token_of,
    whole,
)


@pytest.fixture
def one_database(postgres_server: str) -> Iterator[str]:
    with fresh_postgres_database(postgres_server) as url:
        prepare_database(url)
        yield url


@pytest.fixture
def pair(servers: Callable[..., Server], one_database: str) -> tuple[Server, Server]:
    first = servers(one_database)
    return first, servers(one_database, first.secret_key)


def on(browser: Browser, server: Server) -> Browser:
    """The same tablet, its next request routed by the proxy to ``server``."""
    browser.port = server.port
    return browser


def test_a_login_and_a_draft_on_one_server_continue_on_the_other(
    pair: tuple[Server, Server], one_database: str
) -> None:
    a, b = pair
    browser = logged_in(a)
    assert on(browser, b).get("/new").status == 200  # logged in on b too: sessions live in the database
    token = on(browser, a).new_screening()
    for step, form in draft_pages():
        assert on(browser, a if step == "safety" else b).save(token, step, form).status == 302
    section = first_section()
    page = on(browser, a).get(f"/s/{token}/{section}")  # saved on b, read on a
    assert page.status == 200 and checked(page.body) == answers_for(section)
    assert acknowledged(on(browser, b).finish(token), token)
    (row,) = stored_screenings(one_database)
    assert row.status == "completed" and whole(row)
    assert row.slip_number in on(browser, a).get(f"/s/{token}/slip").text


def test_a_logout_on_one_server_ends_the_session_on_both(pair: tuple[Server, Server]) -> None:
    a, b = pair
    browser = logged_in(a)
    other_tab = browser.clone()
    on(browser, a).get("/new")
    assert on(browser, a).post("/logout", {}).status == 302
    refused = on(other_tab, b).get("/new")
    assert refused.status == 302 and refused.location == "/login"


def test_one_start_and_one_final_submission_across_both_servers(pair: tuple[Server, Server], one_database: str) -> None:
    browser = logged_in(pair[0])
    start_key = browser.start_page()
    count = 20

    def together(action: Callable[[Browser], Reply]) -> list[Reply]:
        ready = threading.Barrier(count, timeout=60)

        def send(index: int) -> Reply:
            tab = on(browser.clone(), pair[index % 2])  # half the taps reach each server
            ready.wait()
            return action(tab)

        replies = run_threads(count, send)
        errors = [r for r in replies if isinstance(r, BaseException)]
        assert not errors, errors[:3]
        return replies

    started = together(lambda tab: tab.start(start_key))
    assert {reply.status for reply in started} == {302}
    assert len({reply.location for reply in started}) == 1
    token = token_of(started[0].location)
    for step, form in draft_pages():
        assert browser.save(token, step, form).status == 302
    finished = together(lambda tab: tab.finish(token))
    assert all(acknowledged(reply, token) for reply in finished)
    (row,) = stored_screenings(one_database)
    assert row.status == "completed" and whole(row)
    assert completion_events(one_database) == {str(row.id): 1}


def test_the_login_throttle_counts_on_both_servers(pair: tuple[Server, Server]) -> None:
    a, b = pair
    guesser = Browser(a.port)
    for server in (a, b, a):  # three wrong passwords, spread over the two servers
        on(guesser, server).get("/login")
        assert on(guesser, server).post("/login", {"username": "officer", "password": "wrong guess 1234"}).status == 401
    officer = Browser(b.port)
    officer.get("/login")
    refused = officer.post("/login", {"username": "officer", "password": PASSWORD})
    assert refused.status == 401  # even the right password must wait now, on the other server too

"""Many tablets at once against gunicorn (2 workers): every submission stored exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tests.reliability.harness import (
    Browser,
    Reply,
    Server,
    acknowledged,
    completion_events,
    draft_pages,
    logged_in,
    prepare_draft,
    run_threads,
    stored_screenings,
    token_of,
    whole,
)

TABLETS = 4  # logged-in tablets; each is shared by several threads like tabs of one browser


def _no_errors(results: list[object]) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"{len(errors)} of {len(results)} failed, e.g. {errors[:3]!r}"


def test_100_concurrent_submissions_store_100_screenings(server: Server, database_url: str) -> None:
    tablets = [logged_in(server) for _ in range(TABLETS)]
    count = 100
    everyone_ready = threading.Barrier(count, timeout=240)  # a hang guard (see run_threads)

    def submit(index: int) -> tuple[str, object]:
        browser = tablets[index % TABLETS].clone()
        token = prepare_draft(browser)
        everyone_ready.wait()  # the 100 final submissions leave together
        return token, browser.finish(token)

    results = run_threads(count, submit)
    _no_errors(results)
    refused = [(token, reply) for token, reply in results if not acknowledged(reply, token)]
    assert not refused, refused[:3]

    rows = stored_screenings(database_url)
    assert len(rows) == count
    assert {row.token for row in rows} == {token for token, _reply in results}
    assert all(row.status == "completed" and whole(row) for row in rows)
    assert len({row.slip_number for row in rows}) == count
    assert completion_events(database_url) == {str(row.id): 1 for row in rows}


def test_50_repeats_of_one_start_key_and_50_final_submits_store_one_screening_once(
    server: Server, database_url: str
) -> None:
    browser = logged_in(server)
    start_key = browser.start_page()
    count = 50

    def together(action: Callable[[Browser], Reply]) -> list[Reply]:
        """``count`` tabs of the same tablet send the same request at the same moment."""
        ready = threading.Barrier(count, timeout=60)

        def send(_index: int) -> Reply:
            tab = browser.clone()
            ready.wait()
            return action(tab)

        replies = run_threads(count, send)
        _no_errors(replies)
        return replies

    # A start button tapped 50 times (double taps, retries on a flaky network): one screening.
    started = together(lambda tab: tab.start(start_key))
    assert {reply.status for reply in started} == {302}
    locations = {reply.location for reply in started}
    assert len(locations) == 1, locations
    token = token_of(locations.pop())
    rows = stored_screenings(database_url)
    assert [(row.start_key, row.token, row.status) for row in rows] == [(start_key, token, "draft")]

    # Its final button tapped 50 times: completed once, with one slip number.
    for step, form in draft_pages():
        assert browser.save(token, step, form).status == 302
    finished = together(lambda tab: tab.finish(token))
    assert all(acknowledged(reply, token) for reply in finished)
    (row,) = stored_screenings(database_url)
    assert row.status == "completed" and whole(row)
    assert completion_events(database_url) == {str(row.id): 1}
    assert row.slip_number in browser.get(f"/s/{token}/slip").text

"""Many tablets at once against gunicorn (2 workers): every submission stored exactly once."""

from __future__ import annotations

import threading

from tests.reliability.harness import (
    Browser,
    Server,
    acknowledged,
    completion_events,
    logged_in,
    prepare_draft,
    run_threads,
    stored_screenings,
    token_of,
    whole,
)

TABLETS = 10


def _no_errors(results: list[object]) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"{len(errors)} of {len(results)} failed, e.g. {errors[:3]!r}"


def test_100_concurrent_submissions_store_100_screenings(server: Server, database_url: str) -> None:
    tablets = [logged_in(server) for _ in range(TABLETS)]
    count = 100
    everyone_ready = threading.Barrier(count, timeout=90)

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


def test_50_repeats_of_one_start_key_open_one_screening(server: Server, database_url: str) -> None:
    browser = logged_in(server)
    start_key = browser.start_page()
    count = 50
    together = threading.Barrier(count, timeout=60)

    def tap(_index: int) -> object:
        tab = browser.clone()
        together.wait()
        return tab.start(start_key)

    replies = run_threads(count, tap)
    _no_errors(replies)
    assert {reply.status for reply in replies} == {302}  # type: ignore[attr-defined]
    locations = {reply.location for reply in replies}  # type: ignore[attr-defined]
    assert len(locations) == 1, locations
    rows = stored_screenings(database_url)
    assert [(row.start_key, row.token) for row in rows] == [(start_key, token_of(locations.pop()))]


def test_50_final_submissions_of_one_draft_complete_it_once(server: Server, database_url: str) -> None:
    browser = logged_in(server)
    token = prepare_draft(browser)
    count = 50
    together = threading.Barrier(count, timeout=60)

    def finish(_index: int) -> object:
        tab: Browser = browser.clone()
        together.wait()
        return tab.finish(token)

    replies = run_threads(count, finish)
    _no_errors(replies)
    assert all(acknowledged(reply, token) for reply in replies)  # type: ignore[arg-type]
    (row,) = stored_screenings(database_url)
    assert row.status == "completed" and whole(row)
    assert completion_events(database_url) == {str(row.id): 1}
    # Every tap lands on the same result, with the one slip number.
    assert row.slip_number in browser.get(f"/s/{token}/slip").text

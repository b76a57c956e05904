"""A gunicorn worker killed with SIGKILL in the middle of a load run of submissions: every
acknowledged screening is stored whole, no row is half-written, and the rest can be finished."""

from __future__ import annotations

import os
import signal
import threading
import time

from tests.reliability.harness import (
    WORKERS,
    Refused,
    Server,
    acknowledged,
    completion_events,
    draft_pages,
    logged_in,
    prepare_draft,
    run_threads,
    stored_screenings,
    whole,
)

CLIENTS = 6
PER_CLIENT = 10


def test_a_killed_worker_loses_no_acknowledged_screening(server: Server, database_url: str) -> None:
    tablets = [logged_in(server) for _ in range(3)]
    total = CLIENTS * PER_CLIENT
    done: list[str] = []  # tokens whose final submission was acknowledged (302 to the result)
    cut: list[str | None] = []  # screenings whose flow broke off (token, if it was known)
    lock = threading.Lock()
    after_last_kill = threading.Event()

    def client(index: int) -> int:
        browser = tablets[index % len(tablets)].clone()
        for _ in range(PER_CLIENT):
            token = None
            try:
                token = prepare_draft(browser)
                reply = browser.finish(token)
            except (Refused, AssertionError):
                with lock:
                    cut.append(token)
                continue
            with lock:
                (done if acknowledged(reply, token) else cut).append(token)
                if after_last_kill.is_set() and acknowledged(reply, token):
                    after_last_kill.clear()  # proof that service continued after the kills
        return index

    killed: list[int] = []
    originals = server.worker_pids()  # both busy under load; their replacements are still booting

    def killer() -> None:
        for share, victim in zip((0.25, 0.6), originals, strict=True):
            deadline = time.monotonic() + 60
            while len(done) < total * share and time.monotonic() < deadline:
                time.sleep(0.005)
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
        after_last_kill.set()

    killing = threading.Thread(target=killer, daemon=True)
    killing.start()
    results = run_threads(CLIENTS, client)
    killing.join(60)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    assert len(killed) == 2, "the load ended before both kills"
    assert not after_last_kill.is_set(), "no screening was acknowledged after the last kill"
    deadline = time.monotonic() + 30
    while not (len(server.worker_pids()) == WORKERS and not set(killed) & set(server.worker_pids())):
        assert time.monotonic() < deadline, "gunicorn did not replace the killed workers"
        time.sleep(0.1)

    rows = {row.token: row for row in stored_screenings(database_url)}
    assert len(done) + len(cut) == total
    lost = [token for token in done if token not in rows or rows[token].status != "completed"]
    assert not lost, f"acknowledged but not stored as completed: {lost}"
    half = [row.token for row in rows.values() if not whole(row)]
    assert not half, f"half-written screenings: {half}"
    completed = {str(row.id) for row in rows.values() if row.status == "completed"}
    assert completion_events(database_url) == dict.fromkeys(completed, 1)

    # What broke off can be resumed and finished now, once each; nothing else changes.
    browser = tablets[0].clone()
    for token in (t for t in cut if t is not None):
        for step, form in draft_pages():
            reply = browser.save(token, step, form)
            assert reply.status == 302, (reply.status, reply.text[-1500:])
        assert acknowledged(browser.finish(token), token)
    after = stored_screenings(database_url)
    assert all(whole(row) for row in after)
    known = set(done) | {t for t in cut if t is not None}
    assert all(row.status == "completed" for row in after if row.token in known)
    assert {row.slip_number for row in after if row.token in done} == {rows[t].slip_number for t in done}

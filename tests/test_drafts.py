"""Unfinished work and the screenings list: my own drafts and resuming them, drafts past the
retention period, the paginated institution list, and the erase confirmation."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from screening import operations
from screening.models import COMPLETED, AuditEvent, Screening
from screening.web.views import PAGE_SIZE
from tests.conftest import Client, login, make_user
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish, start

UNFINISHED = "/screenings/unfinished"


def _db(app: Flask) -> Session:
    return Session(app.extensions["screening.engine"])


def _stored(app: Flask, base: str) -> Screening:
    with _db(app) as db:
        return db.scalars(select(Screening).where(Screening.token == base.rsplit("/", 1)[1])).one()


def _to_observe(client: Client, base: str) -> None:
    """Safety and profile answered, then one answer on the first indicator page, saved."""
    client.get(f"{base}/safety")
    client.post(f"{base}/safety", data={"a_safety__person_alone": "no", "_action": "next"})
    client.post(f"{base}/profile", data=ADULT_PROFILE)
    client.get(f"{base}/observe")
    client.post(f"{base}/observe", data={"a_viol__injuries_observed": "yes", "_action": "next"})


def _age(app: Flask, base: str, *, created_days: int, updated_days: int) -> None:
    now = dt.datetime.now(dt.UTC)
    with _db(app) as db:
        db.execute(
            update(Screening)
            .where(Screening.token == base.rsplit("/", 1)[1])
            .values(created_at=now - dt.timedelta(days=created_days), updated_at=now - dt.timedelta(days=updated_days))
        )
        db.commit()


def test_my_unfinished_screenings_show_how_far_each_is_and_resume_it(app: Flask, client: Client) -> None:
    base = start(client)
    _to_observe(client, base)
    page = client.get(UNFINISHED)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    stored = _stored(app, base)
    indicator_set = app.extensions["screening.content"].get_set(stored.set_id, stored.set_version)
    order = operations.steps(indicator_set, child=False)
    assert f"{indicator_set.title['en']} {stored.set_version}" in body  # the set by its title, not its id
    assert f"Left at step {order.index('observe') + 1} of {len(order)}" in body
    assert f"1 of {len(indicator_set.indicators_for(False))} questions answered" in body
    resume = re.search(r'href="([^"]+)">Resume', body)
    assert resume and resume.group(1) == f"{base}/observe"
    again = client.get(resume.group(1)).get_data(as_text=True)
    assert re.search(r'name="a_viol__injuries_observed" value="yes" checked', again)
    # The start page and the institution's list lead to them too.
    assert f'href="{UNFINISHED}">My unfinished screenings: 1' in client.get("/new").get_data(as_text=True)
    assert f'href="{UNFINISHED}">My unfinished screenings: 1' in client.get("/screenings").get_data(as_text=True)


def test_only_my_own_open_drafts_are_listed(app: Flask, client: Client) -> None:
    mine = start(client)
    finished = start(client)
    answer_all_pages(client, finished, PRESUMED, ADULT_PROFILE, "en")
    finish(client, finished)
    discarded = start(client)
    client.get(f"{discarded}/erase")
    assert client.post(f"{discarded}/erase").headers["Location"] == UNFINISHED
    colleague = Client(app.test_client())  # same institution, another screener
    login(colleague, make_user(app, "colleague"))
    theirs = start(colleague)

    body = client.get(UNFINISHED).get_data(as_text=True)
    tokens = {base: base.rsplit("/", 1)[1] in body for base in (mine, finished, discarded, theirs)}
    assert tokens == {mine: True, finished: False, discarded: False, theirs: False}
    other = colleague.get(UNFINISHED).get_data(as_text=True)
    assert theirs.rsplit("/", 1)[1] in other and mine.rsplit("/", 1)[1] not in other


def test_a_screener_without_drafts_is_told_so(client: Client) -> None:
    body = client.get(UNFINISHED).get_data(as_text=True)
    assert "You have no unfinished screenings." in body
    assert "My unfinished screenings:" not in client.get("/new").get_data(as_text=True)


def test_a_draft_untouched_for_the_retention_period_is_erased_and_audited(app: Flask, client: Client) -> None:
    abandoned = start(client)
    _to_observe(client, abandoned)
    _age(app, abandoned, created_days=91, updated_days=91)
    in_progress = start(client)  # begun long ago, changed yesterday: kept
    _to_observe(client, in_progress)
    _age(app, in_progress, created_days=120, updated_days=1)

    with _db(app) as db:
        assert operations.purge(db, retention_days=90, actor="test") == 1
        assert operations.purge(db, retention_days=90, actor="test") == 0
        erased = db.scalars(select(AuditEvent).where(AuditEvent.action == "screening_erased")).all()
    gone, kept = _stored(app, abandoned), _stored(app, in_progress)
    assert gone.erased_at is not None and gone.answers == {} and gone.profile == {}
    assert kept.erased_at is None and kept.answers["viol.injuries_observed"] == "yes"
    assert [(e.object_id, e.outcome) for e in erased] == [(str(gone.id), "retention")]
    body = client.get(UNFINISHED).get_data(as_text=True)
    assert in_progress.rsplit("/", 1)[1] in body and abandoned.rsplit("/", 1)[1] not in body
    assert client.get(f"{abandoned}/observe").status_code == 404


def test_saving_a_page_of_an_old_draft_restarts_its_retention_clock(app: Flask, client: Client) -> None:
    base = start(client)
    _age(app, base, created_days=91, updated_days=91)
    client.get(f"{base}/safety")
    client.post(f"{base}/safety", data={"a_safety__person_alone": "no", "_action": "next"})
    with _db(app) as db:
        assert operations.purge(db, retention_days=90) == 0
    assert _stored(app, base).answers["safety.person_alone"] == "no"


def _completed_rows(app: Flask, count: int, institution: str = "police") -> list[str]:
    """``count`` completed screenings straight in the database, the newest first; their slip numbers."""
    now = dt.datetime.now(dt.UTC)
    slips = []
    with _db(app) as db:
        for index in range(count):
            slip = f"20261201-{institution[:2].upper()}{index:04d}"
            slips.append(slip)
            db.add(
                Screening(
                    token=secrets.token_urlsafe(24),
                    status=COMPLETED,
                    set_id="general",
                    set_version="2026.2",
                    locale="en",
                    institution=institution,
                    role="first_contact_officer",
                    step="result",
                    profile={},
                    answers={},
                    result={"level": 1, "level_label": {"en": "Some indicators"}},
                    referrals=[],
                    slip_number=slip,
                    completed_at=now - dt.timedelta(minutes=index),
                )
            )
        db.commit()
    return slips


def _slips_on(body: str) -> list[str]:
    return re.findall(r">(20261201-[A-Z]{2}\d{4})</a>", body)


def test_the_institutions_list_is_paginated(app: Flask, client: Client) -> None:
    slips = _completed_rows(app, PAGE_SIZE + 3)
    _completed_rows(app, 1, institution="health")  # another institution's: never listed
    first = client.get("/screenings").get_data(as_text=True)
    assert _slips_on(first) == slips[:PAGE_SIZE]
    assert 'href="/screenings?page=2"' in first and "Page 1 of 2" in first
    second = client.get("/screenings?page=2").get_data(as_text=True)
    assert _slips_on(second) == slips[PAGE_SIZE:]
    assert 'rel="prev" href="/screenings?page=1"' in second and 'rel="next"' not in second
    past_the_end = client.get("/screenings?page=7")
    assert past_the_end.status_code == 302 and past_the_end.headers["Location"] == "/screenings?page=2"


def test_a_malformed_page_number_is_a_clean_404(client: Client) -> None:
    for page in ("0", "-1", "abc", "1.5", "²", "9" * 30, ""):
        for url in ("/screenings", UNFINISHED):
            response = client.get(f"{url}?page={page}")
            assert response.status_code == 404, (url, page)
            assert "Traceback" not in response.get_data(as_text=True)


def test_an_empty_list_has_one_page(client: Client) -> None:
    assert client.get("/screenings?page=1").status_code == 200
    assert client.get("/screenings?page=2").headers["Location"] == "/screenings?page=1"
    assert client.get(f"{UNFINISHED}?page=3").headers["Location"] == f"{UNFINISHED}?page=1"


def test_erasing_asks_first_and_says_what_stays(app: Flask, client: Client) -> None:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    finish(client, base)
    listing = client.get("/screenings").get_data(as_text=True)
    link = re.search(r'href="([^"]+/erase)">Erase', listing)
    assert link and link.group(1) == f"{base}/erase"
    confirm = client.get(link.group(1))
    body = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "What stays" in body
    assert "the level and the suspected forms of exploitation" in body
    assert _stored(app, base).erased_at is None  # opening the page erased nothing
    done = client.post(link.group(1))
    assert done.status_code == 302 and done.headers["Location"] == "/screenings"
    assert _stored(app, base).erased_at is not None
    assert base.rsplit("/", 1)[1] not in client.get("/screenings").get_data(as_text=True)


def test_discarding_a_draft_asks_first_and_says_nothing_counts(app: Flask, client: Client) -> None:
    base = start(client)
    _to_observe(client, base)
    body = client.get(f"{base}/erase").get_data(as_text=True)
    assert "Discard this unfinished screening?" in body and "in no statistics" in body
    assert f'href="{UNFINISHED}">Cancel' in body
    assert client.post(f"{base}/erase", data={"csrf_token": ""}).status_code == 400  # no token: nothing erased
    assert _stored(app, base).erased_at is None
    client.get(f"{base}/erase")
    assert client.post(f"{base}/erase").headers["Location"] == UNFINISHED
    assert _stored(app, base).erased_at is not None

"""A draft survives a server restart: stop gunicorn, start it again on the same database."""

from __future__ import annotations

from collections.abc import Callable

from screening.web.forms import field_name
from tests.reliability.harness import (
    ADULT_PROFILE,
    Server,
    acknowledged,
    answers_for,
    checked,
    first_section,
    item_ids,
    logged_in,
    stored_screenings,
)


def test_a_draft_survives_a_server_restart(servers: Callable[..., Server], database_url: str) -> None:
    before = servers(database_url)
    browser = logged_in(before)
    token = browser.new_screening()
    section = first_section()
    first = item_ids(section)[0]
    answers = {**answers_for(section, "yes"), field_name(first): "unknown"}
    for step, form in (("safety", answers_for("safety")), ("profile", ADULT_PROFILE), (section, answers)):
        assert browser.save(token, step, form).status == 302
    before.stop()

    after = servers(database_url, before.secret_key)
    browser.port = after.port  # the same tablet, still logged in: sessions live in the database
    page = browser.get(f"/s/{token}/{section}")
    assert page.status == 200, page.text[-1500:]
    assert checked(page.body) == answers
    profile = browser.get(f"/s/{token}/profile")
    assert profile.status == 200 and 'value="34"' in profile.body

    assert acknowledged(browser.finish(token), token)
    (row,) = stored_screenings(database_url)
    assert row.status == "completed" and row.profile["age"] == 34
    assert row.answers[first] == "unknown" and row.answers[item_ids(section)[1]] == "yes"

"""The age estimate on the profile page and the child module in the checklist flow, on SQLite and
PostgreSQL: "may be under 18" brings the child sections in before the review, "clearly an adult"
keeps them out, and "cannot estimate" is scored as an adult with the line that the age must be
established (Council of Europe Convention Art. 10(3); scoring 2026.2)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening import operations as ops
from screening.core.model import Content, IndicatorSet
from screening.core.profile import AGE_ESTIMATES
from screening.models import Screening
from screening.web.forms import field_name
from screening.web.vocabulary import AGE_ESTIMATE_LABELS
from tests.conftest import Client
from tests.test_api import auth, token_for
from tests.test_web import ADULT_PROFILE, finish

SET_ID, VERSION = "general", "2026.2"
#: The profile without an age: the estimate decides.
NO_AGE = {**ADULT_PROFILE, "age": ""}


@pytest.fixture
def the_set(content: Content) -> IndicatorSet:
    indicator_set = content.get_set(SET_ID, VERSION)
    assert indicator_set is not None and indicator_set.child_sections, "general 2026.2 has a child module"
    return indicator_set


def start_version(app: Flask, indicator_set: IndicatorSet, institution: str = "police") -> str:
    """A draft of a chosen set version (the start page offers only each set's newest released
    version): made as the start page makes it, then walked through the web like any other."""
    with app.extensions["screening.sessionmaker"]() as db:
        screening = ops.create_draft(
            db,
            indicator_set,
            start_key=f"test-{indicator_set.id}-{indicator_set.version}-start",
            locale="en",
            second_language=None,
            institution=institution,
            role="first_contact_officer",
        )
        return f"/s/{screening.token}"


def stored(app: Flask) -> Screening:
    with Session(app.extensions["screening.engine"]) as session:
        return session.scalars(select(Screening)).one()


def walk(client: Client, base: str, profile: dict[str, str], answers: dict[str, str] | None = None) -> list[str]:
    """Safety, profile, then "Save and continue" on every page up to the review; the steps seen."""
    answers = answers or {}
    seen, url = [], f"{base}/safety"
    while not url.endswith("/review"):
        step = url.rsplit("/", 1)[1].split("?")[0]
        seen.append(step)
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        if step == ops.PROFILE_STEP:
            response = client.post(url, data=profile)
        else:
            names = set(re.findall(r'name="(a_[^"]+)"', page.get_data(as_text=True)))
            response = client.post(url, data={**{n: answers[n] for n in names if n in answers}, "_action": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        url = response.headers["Location"]
    return [*seen, ops.REVIEW_STEP]


def own_steps(indicator_set: IndicatorSet) -> list[str]:
    return ops.steps(indicator_set, child=False)


def child_ids(indicator_set: IndicatorSet) -> list[str]:
    return [s.id for s in indicator_set.child_sections]


# --- the vocabulary -------------------------------------------------------------------------------


def test_every_core_estimate_has_a_label() -> None:
    assert tuple(AGE_ESTIMATE_LABELS) == AGE_ESTIMATES


def test_steps_take_the_child_flag(the_set: IndicatorSet) -> None:
    adult, child = ops.steps(the_set, child=False), ops.steps(the_set, child=True)
    assert adult[:2] == [ops.SAFETY_STEP, ops.PROFILE_STEP] and adult[-1] == ops.REVIEW_STEP
    assert child == [*adult[:-1], *child_ids(the_set), ops.REVIEW_STEP]


# --- the profile page -----------------------------------------------------------------------------


def test_profile_page_asks_the_estimate_with_large_answers(app: Flask, client: Client, the_set: IndicatorSet) -> None:
    base = start_version(app, the_set)
    body = client.get(f"{base}/profile").get_data(as_text=True)
    assert "Age unknown" not in body and 'name="age_unknown"' not in body and 'name="age_uncertain"' not in body
    assert "If you do not know the exact age, what is your estimate?" in body
    assert "Council of Europe Convention, Art. 10(3)" in body
    for value, label in AGE_ESTIMATE_LABELS.items():
        radio = rf'<input[^>]*name="age_estimate"[^>]*value="{value}"[^>]*>'
        assert re.search(rf'<label class="answer[^"]*">{radio} <span>{re.escape(str(label))}</span>', body), value


def test_age_or_estimate_is_required(app: Flask, client: Client, the_set: IndicatorSet) -> None:
    base = start_version(app, the_set)
    client.get(f"{base}/profile")
    refused = client.post(f"{base}/profile", data={**NO_AGE, "_action": "next"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Enter the age in years, or choose your estimate of the age." in page
    assert 'href="#age_estimate"' in page
    assert not stored(app).profile


def test_estimate_alone_or_with_a_doubted_age_is_stored(app: Flask, client: Client, the_set: IndicatorSet) -> None:
    base = start_version(app, the_set)
    client.get(f"{base}/profile")
    response = client.post(f"{base}/profile", data={**ADULT_PROFILE, "age": "19", "age_estimate": "may_be_minor"})
    assert response.status_code == 302
    profile = stored(app).profile
    assert (profile["age"], profile["age_estimate"], profile["complete"]) == (19, "may_be_minor", True)
    # The form shows what was stored.
    page = client.get(f"{base}/profile").get_data(as_text=True)
    assert re.search(r'value="may_be_minor"[^>]*checked|checked[^>]*value="may_be_minor"', page)
    # A stated age the screener doubts is still a child: the child module follows.
    assert child_ids(the_set)[0] in walk(client, base, {**ADULT_PROFILE, "age": "19", "age_estimate": "may_be_minor"})


def test_a_tampered_estimate_is_refused(app: Flask, client: Client, the_set: IndicatorSet) -> None:
    base = start_version(app, the_set)
    client.get(f"{base}/profile")
    assert client.post(f"{base}/profile", data={**NO_AGE, "age_estimate": "teenager"}).status_code == 400


# --- the child module in the flow -----------------------------------------------------------------


def test_may_be_under_18_brings_the_child_module_before_the_review(
    app: Flask, client: Client, the_set: IndicatorSet
) -> None:
    base = start_version(app, the_set)
    seen = walk(client, base, {**NO_AGE, "age_estimate": "may_be_minor"})
    assert seen == ops.steps(the_set, child=True)
    assert seen[-1 - len(child_ids(the_set)) : -1] == child_ids(the_set)
    first = the_set.child_sections[0]
    page = client.get(f"{base}/{first.id}").get_data(as_text=True)
    assert "they are added because the person is or may be under 18" in page
    assert all(field_name(i.id) in page for i in first.indicators)
    total = len(ops.steps(the_set, child=True))
    assert f"{total}" in page  # the progress counts the child pages
    review = client.get(f"{base}/review").get_data(as_text=True)
    for section in the_set.child_sections:
        assert f"/{section.id}?return=review" in review


def test_clearly_an_adult_keeps_the_child_module_out(app: Flask, client: Client, the_set: IndicatorSet) -> None:
    base = start_version(app, the_set)
    seen = walk(client, base, {**NO_AGE, "age_estimate": "clearly_adult"})
    assert seen == own_steps(the_set)
    assert not set(seen) & set(child_ids(the_set))
    assert client.get(f"{base}/{child_ids(the_set)[0]}").status_code == 404
    review = client.get(f"{base}/review").get_data(as_text=True)
    assert not any(f"/{s}?return=review" in review for s in child_ids(the_set))
    assert "they are added because the person is or may be under 18" not in review


def test_a_child_age_brings_the_child_module(app: Flask, client: Client, the_set: IndicatorSet) -> None:
    base = start_version(app, the_set)
    assert walk(client, base, {**ADULT_PROFILE, "age": "15"}) == ops.steps(the_set, child=True)


def test_changing_back_to_adult_drops_the_pages_and_keeps_the_answers(
    app: Flask, client: Client, the_set: IndicatorSet
) -> None:
    base = start_version(app, the_set)
    item = the_set.child_sections[0].indicators[0]
    walk(client, base, {**NO_AGE, "age_estimate": "clearly_child"}, {field_name(item.id): "yes"})
    assert stored(app).answers[item.id] == "yes"
    client.get(f"{base}/profile?return=review")
    response = client.post(
        f"{base}/profile", data={**NO_AGE, "age_estimate": "clearly_adult", "_return": "review", "_action": "next"}
    )
    assert response.headers["Location"].endswith("/review")
    assert client.get(f"{base}/{the_set.child_sections[0].id}").status_code == 404
    assert stored(app).answers[item.id] == "yes"  # kept, not scored
    result_url = finish(client, base)
    client.get(result_url)
    screening = stored(app)
    assert screening.result["child"] is False and item.id not in screening.result["yes"]


def test_changing_to_a_child_from_the_review_walks_the_child_pages(
    app: Flask, client: Client, the_set: IndicatorSet
) -> None:
    base = start_version(app, the_set)
    walk(client, base, {**NO_AGE, "age_estimate": "clearly_adult"})
    client.get(f"{base}/profile?return=review")
    response = client.post(
        f"{base}/profile", data={**NO_AGE, "age_estimate": "may_be_minor", "_return": "review", "_action": "next"}
    )
    assert response.headers["Location"].endswith(f"/{child_ids(the_set)[0]}")


def test_a_child_is_scored_with_the_child_module(app: Flask, client: Client, the_set: IndicatorSet) -> None:
    base = start_version(app, the_set)
    item = the_set.child_sections[0].indicators[0]
    walk(client, base, {**NO_AGE, "age_estimate": "may_be_minor"}, {field_name(item.id): "yes"})
    client.get(finish(client, base))
    screening = stored(app)
    assert screening.status == "completed" and screening.result["child"] is True
    assert item.id in screening.result["yes"]


def test_cannot_estimate_completes_as_an_adult_with_the_age_to_establish(
    app: Flask, client: Client, content: Content, the_set: IndicatorSet
) -> None:
    base = start_version(app, the_set)
    seen = walk(client, base, {**NO_AGE, "age_estimate": "cannot_estimate"})
    assert seen == own_steps(the_set)
    result = client.get(finish(client, base))
    assert result.status_code == 200
    screening = stored(app)
    assert screening.result["child"] is False and screening.result["age_to_establish"] is True
    line = content.scoring_for(the_set).texts["age_to_establish"]["en"]
    body = result.get_data(as_text=True)
    assert str(line) in body or escape(str(line)) in body
    slip = client.get(f"{base}/slip?lang=en").get_data(as_text=True)
    assert "Cannot estimate (for example on the phone)" in slip  # the slip says what the screener chose


def escape(text: str) -> str:
    from markupsafe import escape as markup_escape

    return str(markup_escape(text))


# --- screenings stored before the estimate --------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "age", "uncertain", "child"),
    [
        ({"age": None, "age_unknown": True, "age_uncertain": False}, None, False, True),
        ({"age": 19, "age_unknown": False, "age_uncertain": True}, 19, True, True),
        ({"age": 34, "age_unknown": False, "age_uncertain": False}, 34, False, False),
    ],
)
def test_stored_2026_1_profiles_read_as_before(
    content: Content, profile: dict[str, Any], age: int | None, uncertain: bool, child: bool
) -> None:
    old = content.get_set(SET_ID, "2026.1")
    assert old is not None and not old.child_sections
    screening = Screening(profile=profile, consent="not_recorded")
    read = ops.core_profile(screening)
    assert (read.age, read.age_uncertain, read.age_estimate) == (age, uncertain, None)
    assert ops.counts_as_child(content, old, screening) is child
    assert ops.steps(old, child=child) == ops.steps(old, child=False)  # 2026.1 sets have no module


def test_a_2026_1_draft_shows_its_uncertain_age_as_may_be_under_18(
    app: Flask, client: Client, content: Content
) -> None:
    old = content.get_set(SET_ID, "2026.1")
    assert old is not None
    base = start_version(app, old)
    token = base.rsplit("/", 1)[1]
    with app.extensions["screening.sessionmaker"]() as db:
        screening = ops.find(db, token)
        assert screening is not None and screening.set_version == "2026.1"
        screening.profile = {**ADULT_PROFILE, "age": 19, "age_unknown": False, "age_uncertain": True}
        db.commit()
    page = client.get(f"{base}/profile").get_data(as_text=True)
    assert re.search(r'value="may_be_minor"[^>]*checked|checked[^>]*value="may_be_minor"', page)


# --- the API --------------------------------------------------------------------------------------

API_BODY = {"set": SET_ID, "version": VERSION, "sex": "female", "locale": "en", "answers": {}}


def test_api_scores_with_the_estimate(app: Flask) -> None:
    client, token = app.test_client(), token_for(app)
    child = client.post("/api/v1/score", json={**API_BODY, "age_estimate": "may_be_minor"}, headers=auth(token))
    assert child.status_code == 200 and child.get_json()["child"] is True
    phone = client.post("/api/v1/score", json={**API_BODY, "age_estimate": "cannot_estimate"}, headers=auth(token))
    assert phone.status_code == 200
    assert phone.get_json()["child"] is False and phone.get_json()["age_to_establish"] is True
    legacy = client.post("/api/v1/score", json={**API_BODY, "age": 19, "age_uncertain": True}, headers=auth(token))
    assert legacy.status_code == 200 and legacy.get_json()["child"] is True
    wrong = client.post("/api/v1/score", json={**API_BODY, "age_estimate": "teenager"}, headers=auth(token))
    assert wrong.status_code == 400 and wrong.get_json()["error"]["code"] == "invalid_input"


def test_api_stores_the_estimate(app: Flask) -> None:
    client, token = app.test_client(), token_for(app)
    headers = {**auth(token), "Idempotency-Key": "child-module-1"}
    response = client.post("/api/v1/screenings", json={**API_BODY, "age_estimate": "clearly_child"}, headers=headers)
    assert response.status_code == 201 and response.get_json()["child"] is True
    assert stored(app).profile["age_estimate"] == "clearly_child"


def test_api_documents_the_estimate_and_lists_the_child_module(app: Flask, the_set: IndicatorSet) -> None:
    client = app.test_client()
    schema = client.get("/api/v1/openapi.json").get_json()
    body = schema["paths"]["/score"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["age_estimate"]["enum"] == list(AGE_ESTIMATES)
    assert "age_uncertain" in body["properties"]
    listed = client.get(f"/api/v1/sets/{SET_ID}/{VERSION}").get_json()
    assert [s["id"] for s in listed["child_sections"]] == child_ids(the_set)


def test_a_yes_that_says_may_be_under_18_brings_the_child_module_and_rule(
    app: Flask, client: Client, content: Content
) -> None:
    """Bank 2026.5 (``child_sign``): a labour inspector whose profile says "clearly an adult" (filled
    in before seeing the worker) answers that the worker is or may be under 18 and does night work:
    the child pages join before the review and the result is a child's (CoE Convention Art. 10(3))."""
    labour = content.get_set("labour", "2026.5")
    assert labour is not None
    [sign] = [i for i in labour.indicators_for(False) if i.id == "lab.child_working"]
    assert sign.child_sign
    base = start_version(app, labour)
    seen = walk(client, base, {**NO_AGE, "age_estimate": "clearly_adult"}, {field_name(sign.id): "yes"})
    assert seen == ops.steps(labour, child=True)
    client.get(finish(client, base))
    screening = stored(app)
    assert screening.result["child"] is True and "csw" in {r["contact"] for r in screening.referrals}

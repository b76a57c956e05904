"""The worked decision cases of 2026.2 through the real checklist pages, on SQLite and PostgreSQL.

tests/test_decisions.py runs the cases in referral_rules/cases/2026.2.yaml through the core. Here a
screener of an institution that uses the set logs in, starts a screening on the start page, answers
the safety page, fills the profile from the case, answers each section page (an item the case leaves
unanswered stays unanswered), walks the child module's pages when the profile calls for them,
records the consent when the case declines referral, and submits. The stored row and the result page
must both show the outcome, child, urgent and the contacts with their priorities that the sources
expect, and the stored answers must re-score to the stored result.

One app per database serves every case (the pages are what is under test, not a fresh database), so
the accounts and screenings made here have names and keys of their own.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening import operations as ops
from screening.core.assessment import assess, coverage
from screening.core.inputs import parse_screening_input
from screening.core.loading import load_content
from screening.core.model import Content, IndicatorSet, version_key
from screening.models import Screening
from screening.web.forms import field_name
from screening.web.vocabulary import USUAL_SET
from tests.conftest import ROOT, Client, login, make_app, make_user
from tests.test_decisions import (
    VERSION,
    _cases,
    _decision,
    _holding,
    _later_cases,
    _rules_cases,
    _sets_holding,
    current_case,
    superseding,
)

#: The institution whose screeners use each set (the start page offers it first to them).
INSTITUTION_OF_SET = {set_id: institution for institution, set_id in reversed(USUAL_SET.items())}
CASES = [pytest.param(case, id=case["name"]) for case in _cases()]
REFERRAL = re.compile(
    r'<div class="referral priority-([a-z_0-9]+)">\s*<p class="priority">[^<]*</p>\s*'
    r'<p class="contact-name">([^<]*)</p>'
)


@dataclass
class Web:
    """One app on one database, with a logged-in screener per institution."""

    app: Flask
    database: str
    screeners: dict[str, Client] = field(default_factory=dict)

    def screener(self, institution: str) -> Client:
        if institution not in self.screeners:
            client = Client(self.app.test_client())
            username = make_user(self.app, f"cases-{institution}-{secrets.token_hex(4)}", institution=institution)
            assert login(client, username).status_code == 302
            self.screeners[institution] = client
        return self.screeners[institution]

    def stored(self, token: str) -> Screening:
        with Session(self.app.extensions["screening.engine"]) as session:
            return session.scalars(select(Screening).where(Screening.token == token)).one()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    url = request.getfixturevalue("postgres_module_url") if request.param == "postgresql" else None
    app = make_app(tmp_path_factory.mktemp(f"cases-{request.param}"), url)
    yield Web(app, request.param)
    app.extensions["screening.engine"].dispose()


# --- the case as a screener enters it -------------------------------------------------------------


def profile_form(case_input: dict[str, Any]) -> dict[str, str]:
    """The profile page filled from the case: what the case leaves out is "not known"."""
    age = case_input.get("age")
    form = {
        "age": "" if age in (None, "unknown") else str(age),
        "sex": "not_stated",
        "nationality": {True: "other", False: "kosovo", None: "unknown"}[case_input.get("foreign_national")],
        "asylum_seeker": "yes" if case_input.get("asylum_seeker") else "no",
        "municipality": case_input.get("municipality") or "",
        "_action": "next",
    }
    if case_input.get("age_estimate"):
        form["age_estimate"] = case_input["age_estimate"]
    return form


def case_answers(case_input: dict[str, Any]) -> dict[str, str]:
    """The safety and item answers the case gives, as the case file spells them."""
    return {**case_input.get("safety", {}), **case_input["answers"]}


@dataclass
class Walked:
    token: str
    steps: list[str]
    posted: set[str]
    result_page: str


def start(client: Client, indicator_set: IndicatorSet) -> str:
    page = client.get("/new").get_data(as_text=True)
    key = re.search(r'name="start_key" type="hidden" value="([^"]+)"', page)
    assert key, "the start page carries a start key"
    data = {"start_key": key.group(1), "role": "first_contact_officer", "indicator_set": indicator_set.id}
    response = client.post("/new", data={**data, "language": "en", "second_language": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return str(response.headers["Location"]).rsplit("/", 1)[0]


def walk(client: Client, base: str, case_input: dict[str, Any]) -> tuple[list[str], set[str]]:
    """Every page from safety to the review with the case's answers; the steps seen, the items sent."""
    answers = {field_name(item): value for item, value in case_answers(case_input).items()}
    steps: list[str] = []
    posted: set[str] = set()
    url = f"{base}/{ops.SAFETY_STEP}"
    while not url.endswith(f"/{ops.REVIEW_STEP}"):
        step = url.rsplit("/", 1)[1]
        steps.append(step)
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        if step == ops.PROFILE_STEP:
            response = client.post(url, data=profile_form(case_input))
        else:
            asked = set(re.findall(r'name="(a_[^"]+)"', page.get_data(as_text=True)))
            data = {name: answers[name] for name in asked & answers.keys()}
            posted |= data.keys()
            response = client.post(url, data={**data, "_action": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        url = str(response.headers["Location"])
        if url.endswith("/danger"):  # danger now: the page says call the police, then the screening goes on
            danger = client.get(url).get_data(as_text=True)
            assert "Someone is in immediate danger" in danger
            onward = re.search(r'href="([^"]+/profile)"', danger)
            assert onward, "the danger page lets the screener continue"
            url = onward.group(1)
    return [*steps, ops.REVIEW_STEP], posted


def screen(web: Web, indicator_set: IndicatorSet, case: dict[str, Any]) -> Walked:
    """The case from the start page to the result page, as a screener of the set's institution."""
    client = web.screener(INSTITUTION_OF_SET[indicator_set.id])
    base = start(client, indicator_set)
    steps, posted = walk(client, base, case["input"])
    client.get(f"{base}/{ops.REVIEW_STEP}")
    submitted = client.post(f"{base}/{ops.REVIEW_STEP}", data={"_action": "finish"})
    assert submitted.status_code == 302 and str(submitted.headers["Location"]).endswith("/result")
    result_url = f"{base}/result"
    page = client.get(result_url)
    consent = case["input"].get("consent")
    if consent:
        recorded = client.post(f"{base}/consent", data={"consent": consent, "informed_of_rights": "yes"})
        assert recorded.status_code == 302, recorded.get_data(as_text=True)[:2000]
        page = client.get(result_url)
    assert page.status_code == 200
    return Walked(base.rsplit("/", 1)[1], steps, posted, page.get_data(as_text=True))


# --- what must hold -------------------------------------------------------------------------------


def expected(case: dict[str, Any]) -> dict[str, Any]:
    wanted = case["expect"]
    return {
        "outcome": wanted["outcome"],
        "child": wanted["child"],
        "urgent": wanted["urgent"],
        "referrals": wanted["referrals"] or {},
    }


def stored_decision(screening: Screening) -> dict[str, Any]:
    result = screening.result or {}
    return {
        "outcome": result.get("level_key"),
        "child": result.get("child"),
        "urgent": result.get("urgent"),
        "referrals": {r["contact"]: r["priority"] for r in screening.referrals or []},
    }


def contact_name(content: Content, contact: str, municipality: str | None) -> str:
    """The contact's English name as the result page shows it (a CSW with its municipality)."""
    entry = content.directory.contacts[contact]
    if entry.per_municipality and municipality:
        return f"{entry.name['en']} – {content.directory.municipalities[municipality].name['en']}"
    return str(entry.name["en"])


def check_result_page(
    content: Content, indicator_set: IndicatorSet, case: dict[str, Any], page: str, answers: dict[str, str]
) -> None:
    want = expected(case)
    shown_set = content.get_set(indicator_set.id)  # the pages run the set's current version
    assert shown_set is not None
    scoring = content.scoring_for(shown_set)  # whose outcomes may be newer than indicator_set's
    outcome = scoring.outcome(want["outcome"])
    covered = coverage(shown_set, answers, child=want["child"])
    if covered.assessed(outcome.level):
        assert f"Level {outcome.level} of 3" in page
        assert f'<p class="level-label">{escape(outcome.label["en"])}</p>' in page
    else:  # level 0 on a few answers (most controls): the page says so instead of "no indicators"
        assert f"Not assessed: {covered.answered} of {covered.asked} questions answered" in page
        assert "Level 0 of 3" not in page
    assert (str(escape(scoring.texts["child_rule"]["en"])) in page) is want["child"], "the child rule line"
    assert ('<div class="danger-panel" role="alert">' in page) is want["urgent"], "the immediate danger panel"
    municipality = case["input"].get("municipality")
    names = {str(escape(contact_name(content, c, municipality))): p for c, p in want["referrals"].items()}
    shown = {name: priority for priority, name in REFERRAL.findall(page)}
    assert shown == names
    if not want["referrals"]:
        assert "No referral is suggested." in page


def as_stored(data: dict[str, Any]) -> dict[str, Any]:
    """The core's result as it comes back from a JSON column (tuples become lists)."""
    loaded: dict[str, Any] = json.loads(json.dumps(data))
    return loaded


def check_stored_row(content: Content, indicator_set: IndicatorSet, case: dict[str, Any], row: Screening) -> None:
    # The pages start the set's current version (every item of VERSION, and since bank 2026.5 more
    # child items; scored with its own scoring, which decides every case of VERSION the same:
    # tests/test_decisions.py).
    current = content.get_set(indicator_set.id)
    assert current is not None
    assert {i.id for i in indicator_set.indicators} <= {i.id for i in current.indicators}
    assert (row.status, row.set_id, row.set_version) == ("completed", indicator_set.id, current.version)
    rules = content.rules_for(current).version  # the newest rules: they decide VERSION's cases the same
    assert (row.scoring_version, row.rules_version) == (current.scoring, rules)
    assert stored_decision(row) == expected(case)
    # What the case answers is stored as answered; everything else stays unanswered.
    assert {k: v for k, v in row.answers.items() if v != "not_asked"} == case_answers(case["input"])
    profile, answers = parse_screening_input(case["input"])
    assert ops.core_profile(row) == profile, "the stored profile reads as the case's profile"
    # The stored answers re-score to the stored result, and to what the core gives for the case.
    again = assess(content, current, row.answers, ops.core_profile(row), row.rules_version)
    core = assess(content, current, answers, profile, rules_version=rules)
    scored, stored_result = as_stored(again.result.to_dict()), row.result or {}
    assert {key: stored_result.get(key) for key in scored} == scored
    assert scored == as_stored(core.result.to_dict())
    assert _decision(again) == _decision(core) == stored_decision(row)
    assert [(r.contact, r.priority) for r in again.referrals] == [
        (r["contact"], r["priority"]) for r in row.referrals or []
    ]


def run_case(web: Web, content: Content, indicator_set: IndicatorSet, case: dict[str, Any]) -> None:
    walked = screen(web, indicator_set, case)
    child = expected(case)["child"]
    assert walked.steps == ops.steps(indicator_set, child=child), "the child module's pages, and only for a child"
    assert walked.posted == {field_name(item) for item in case_answers(case["input"])}, "every answer had its page"
    row = web.stored(walked.token)
    check_stored_row(content, indicator_set, case, row)
    check_result_page(content, indicator_set, case, walked.result_page, row.answers)


@pytest.mark.parametrize("case", CASES)
def test_case_gives_the_expected_decision_through_the_web(web: Web, content: Content, case: dict[str, Any]) -> None:
    """The first set (in the content's order) that holds every answered item of the case."""
    sets = _sets_holding(content, case)
    assert sets, f"no {VERSION} set holds all of {sorted(case['input']['answers'])}"
    run_case(web, content, sets[0], current_case(content, sets[0].id, case))


@pytest.mark.parametrize(("scoring", "case"), _later_cases())
def test_a_later_scoring_release_gives_its_worked_cases_through_the_web(
    web: Web, content: Content, scoring: str, case: dict[str, Any]
) -> None:
    """The cases of each scoring release after VERSION (what it changes), through the pages: they
    start the current version, scored with that release or a newer one, which keeps the case
    unless one of its own cases supersedes the same case of VERSION. A case on items VERSION's sets
    do not have (scoring 2026.9) runs in the first current set that holds it."""
    sets = _sets_holding(content, case) or _holding(content, case, [content.get_set(i) for i in content.set_ids()])
    assert sets
    current = content.get_set(sets[0].id)
    assert current is not None and version_key(current.scoring) >= version_key(scoring)
    if case.get("supersedes") and superseding(current.scoring)[case["supersedes"]]["name"] != case["name"]:
        pytest.skip(f"superseded by {superseding(current.scoring)[case['supersedes']]['name']!r}")
    run_case(web, content, sets[0], case)


@pytest.mark.parametrize(("rules", "case"), _rules_cases())
def test_a_later_rules_release_gives_its_worked_cases_through_the_web(
    web: Web, content: Content, rules: str, case: dict[str, Any]
) -> None:
    """The cases of a referral rules release (what it changes, and its controls), through the pages
    of the current version, which the newest rules decide."""
    sets = _sets_holding(content, case)
    assert sets
    current = content.get_set(sets[0].id)
    assert current is not None and version_key(content.rules_for(current).version) >= version_key(rules)
    if case["name"] in superseding(current.scoring):
        pytest.skip(f"re-decided by scoring {current.scoring}: {superseding(current.scoring)[case['name']]['name']!r}")
    if case["input"].get("age") is None and not case["input"].get("age_estimate"):
        pytest.skip("the profile page asks for the age or an estimate; this case leaves out both")
    run_case(web, content, sets[0], case)


def _other_sets() -> list[Any]:
    """(case, set id) for every further set that holds all of a case's answered items."""
    content = load_content(ROOT)
    return [
        pytest.param(case, indicator_set.id, id=f"{case['name']}-{indicator_set.id}")
        for case in _cases()
        for indicator_set in _sets_holding(content, case)[1:]
    ]


# The cross-set consistency through the pages, on SQLite only: every further set doubles the run time,
# and the first set already takes each case through PostgreSQL.
@pytest.mark.parametrize("web", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("case", "set_id"), _other_sets())
def test_every_other_set_holding_the_case_gives_the_same_decision(
    web: Web, content: Content, case: dict[str, Any], set_id: str
) -> None:
    """Same facts, same items, same result, whichever set the screener's institution uses."""
    indicator_set = content.get_set(set_id, VERSION)
    assert indicator_set is not None
    run_case(web, content, indicator_set, current_case(content, set_id, case))

"""A completed screening never changes: every draft write is conditional on the row still being a
draft, and the answers stored with a result are the answers it was scored from. On SQLite and
PostgreSQL, with requests racing through one app (its engine shared, as in a threaded server)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening import operations as ops
from screening import statistics_db
from screening.core.assessment import assess
from screening.core.errors import ScoringInputError
from screening.core.inputs import parse_screening_input
from screening.core.model import Content, IndicatorSet
from screening.models import AuditEvent, Screening, ScreeningStat, User
from screening.web.forms import field_name
from tests.conftest import Client, login, make_user
from tests.test_api import BODY, auth, token_for

PROFILE = {
    "age": 34,
    "age_unknown": False,
    "age_estimate": None,
    "sex": "female",
    "nationality": "other",
    "country": None,
    "asylum_seeker": "no",
    "spoken_language": None,
    "municipality": "peje",
    "case_reference": None,
    "complete": True,
}
#: The section a racing save answers "yes" throughout: it raises the level from 0 to presumed.
RACING_SECTION = "control_threats"
#: The profile a racing save sends: a child, so the child module and the child rule come in.
CHILD_PROFILE_FORM = {"age": "15", "sex": "female", "nationality": "kosovo", "asylum_seeker": "no"}
#: Two bodies sent with one Idempotency-Key (the review's reproduction, in the 2026.2 ids).
BODY_A = {"set": "general", "answers": {"move.cannot_leave_freely": "yes"}}
BODY_B = {"set": "general", "answers": {"move.cannot_leave_freely": "no", "pay.earnings_kept": "yes"}}


def _content(app: Flask) -> Content:
    loaded: Content = app.extensions["screening.content"]
    return loaded


def _general(app: Flask) -> IndicatorSet:
    indicator_set = _content(app).get_set("general")
    assert indicator_set is not None
    return indicator_set


@contextmanager
def _session(app: Flask) -> Iterator[Session]:
    with app.extensions["screening.sessionmaker"]() as db:
        yield db


def _draft(app: Flask, username: str = "officer") -> str:
    """A draft with a complete adult profile and every question of the adult sections answered no."""
    indicator_set = _general(app)
    with _session(app) as db:
        user = db.scalars(select(User).where(User.username == username)).one()
        screening = ops.create_draft(
            db,
            indicator_set,
            start_key=f"race-{random.getrandbits(64):016x}-{random.getrandbits(64):016x}",
            locale="en",
            second_language=None,
            institution=user.institution,
            role="first_contact_officer",
            user=user,
        )
        ops.save_profile(db, screening, dict(PROFILE), ops.PROFILE_STEP)
        ops.save_answers(db, screening, _adult_answers_no(indicator_set), ops.REVIEW_STEP)
        return screening.token


def _adult_answers_no(indicator_set: IndicatorSet) -> dict[str, str]:
    """Every safety check and indicator of the adult sections, answered no."""
    asked = [c.id for s in indicator_set.sections for c in s.safety_checks]
    asked += [i.id for s in indicator_set.sections for i in s.indicators]
    return dict.fromkeys(asked, "no")


def _stored(app: Flask) -> list[Screening]:
    with _session(app) as db:
        return list(db.scalars(select(Screening).order_by(Screening.id)))


def _rescoring_mismatches(app: Flask) -> list[str]:
    """Every completed screening whose stored answers and profile do not re-score to its stored
    result (level, yes list) and referrals."""
    content = _content(app)
    mismatches = []
    for row in _stored(app):
        if not row.completed:
            continue
        indicator_set = content.get_set(row.set_id, row.set_version)
        assert indicator_set is not None and row.result is not None
        again = assess(content, indicator_set, row.answers, ops.core_profile(row), row.rules_version)
        expected = (again.result.level, list(again.result.yes), [(r.contact, r.priority) for r in again.referrals])
        stored = (
            row.result["level"],
            list(row.result["yes"]),
            [(r["contact"], r["priority"]) for r in row.referrals or []],
        )
        if expected != stored:
            mismatches.append(f"screening {row.id}: re-scored {expected} but stored {stored}")
    return mismatches


def _completion_events(app: Flask) -> Counter[str]:
    with _session(app) as db:
        query = select(AuditEvent.object_id).where(AuditEvent.action == "screening_completed")
        return Counter(str(object_id) for object_id in db.scalars(query))


# --- one write at a time, from an object loaded before another request completed the row -----------


def _load(db: Session, token: str) -> Screening:
    return db.scalars(select(Screening).where(Screening.token == token)).one()


def _all_yes(app: Flask, section_id: str) -> dict[str, str]:
    section = ops.section(_general(app), section_id, child=False)
    return {i.id: "yes" for i in section.indicators}


@pytest.mark.parametrize("write", ["answers", "profile"])
def test_a_save_loaded_before_the_final_submit_changes_nothing_after_it(app: Flask, write: str) -> None:
    """Two tabs: one shows a section, the other finishes; then the first tab's save arrives."""
    make_user(app)
    token = _draft(app)
    with _session(app) as stale_tab, _session(app) as finishing_tab:
        stale = _load(stale_tab, token)
        ops.complete(finishing_tab, _content(app), _load(finishing_tab, token), "en")
        before = _stored(app)[0]
        if write == "answers":
            ops.save_answers(stale_tab, stale, _all_yes(app, RACING_SECTION), RACING_SECTION)
        else:
            ops.save_profile(stale_tab, stale, {**PROFILE, "age": 15}, ops.PROFILE_STEP)
        assert stale.completed  # the stale tab now sees the completed row (and goes to the result)
    after = _stored(app)[0]
    assert (after.answers, after.profile, after.step) == (before.answers, before.profile, "result")
    assert _rescoring_mismatches(app) == []


def test_the_final_submit_stores_the_answers_it_scored(app: Flask) -> None:
    """A section save commits while the final submit is under way: the result describes the
    answers the row holds afterwards, never the answers the submit loaded before."""
    make_user(app)
    token = _draft(app)
    with _session(app) as submitting, _session(app) as saving:
        loaded_by_submit = _load(submitting, token)
        ops.save_answers(saving, _load(saving, token), _all_yes(app, RACING_SECTION), RACING_SECTION)
        ops.complete(submitting, _content(app), loaded_by_submit, "en")
    assert _rescoring_mismatches(app) == []
    (row,) = _stored(app)
    assert set(_all_yes(app, RACING_SECTION)) <= set(row.result["yes"])  # type: ignore[index]


def test_two_tabs_saving_different_pages_of_one_draft_keep_both_pages(app: Flask) -> None:
    """Both tabs loaded the draft before either saved: the second save must not put back the
    answers the first tab's page had before (a save writes at once only if nobody wrote since)."""
    make_user(app)
    token = _draft(app)
    other = next(s.id for s in _general(app).sections if s.indicators and s.id != RACING_SECTION)
    with _session(app) as first_tab, _session(app) as second_tab:
        first, second = _load(first_tab, token), _load(second_tab, token)
        assert ops.save_answers(first_tab, first, _all_yes(app, RACING_SECTION), RACING_SECTION)
        assert ops.save_answers(second_tab, second, _all_yes(app, other), other)
        assert ops.save_answers(first_tab, first, {}, RACING_SECTION)  # the first tab again, now stale
    (row,) = _stored(app)
    assert {**_all_yes(app, RACING_SECTION), **_all_yes(app, other)}.items() <= row.answers.items()
    assert row.step == RACING_SECTION


def test_consent_sent_before_an_erasure_does_not_bring_the_referrals_back(app: Flask) -> None:
    make_user(app)
    token = _draft(app)
    with _session(app) as db:
        ops.save_answers(db, _load(db, token), _all_yes(app, RACING_SECTION), RACING_SECTION)
        ops.complete(db, _content(app), _load(db, token), "en")
    with _session(app) as result_page, _session(app) as eraser:
        shown = _load(result_page, token)
        ops.erase(eraser, _load(eraser, token), actor="officer", reason="request")
        eraser.commit()
        ops.record_consent(result_page, _content(app), shown, "given", True)
    (row,) = _stored(app)
    assert row.answers == {} and row.consent == "not_recorded"
    assert all(set(referral) == {"contact", "priority"} for referral in row.referrals or [])


# --- hundreds of racing requests -----------------------------------------------------------------

THREADS = 8
ROUNDS = 36  # each round: 2 drafts (a save racing the final submit) and one key sent 4 times


@dataclass
class Tablet:
    """One thread's browser (a logged-in screener) and API client."""

    web: Client
    api: FlaskClient
    api_token: str


@dataclass
class Reply:
    kind: str
    key: str
    status: int
    body: Any = None
    sent: Any = None


Task = Callable[[Tablet], Reply]


def _tablets(app: Flask) -> list[Tablet]:
    make_user(app)
    api_token = token_for(app)
    tablets = []
    for _ in range(THREADS):
        web = Client(app.test_client())
        assert login(web, "officer").status_code == 302
        web.get("/new")  # the session's CSRF token
        tablets.append(Tablet(web, app.test_client(), api_token))
    return tablets


def _section_save(token: str, items: dict[str, str]) -> Task:
    def send(tablet: Tablet) -> Reply:
        data = {field_name(item): answer for item, answer in items.items()}
        response = tablet.web.post(f"/s/{token}/{RACING_SECTION}", data={**data, "_action": "next"})
        return Reply("save", token, response.status_code)

    return send


def _profile_save(token: str) -> Task:
    def send(tablet: Tablet) -> Reply:
        response = tablet.web.post(f"/s/{token}/profile", data={**CHILD_PROFILE_FORM, "_action": "next"})
        return Reply("save", token, response.status_code)

    return send


def _final_submit(token: str) -> Task:
    def send(tablet: Tablet) -> Reply:
        response = tablet.web.post(f"/s/{token}/review", data={"_action": "finish"})
        return Reply("submit", token, response.status_code, response.headers.get("Location"))

    return send


def _api_create(key: str, body: dict[str, Any]) -> Task:
    def send(tablet: Tablet) -> Reply:
        headers = {**auth(tablet.api_token), "Idempotency-Key": key}
        response = tablet.api.post("/api/v1/screenings", json=body, headers=headers)
        return Reply("api", key, response.status_code, response.get_json(), body)

    return send


def _rounds(app: Flask, seed: int) -> list[list[Task]]:
    shuffle = random.Random(seed).shuffle
    rounds = []
    for number in range(ROUNDS):
        tasks: list[Task] = []
        for draft in range(2):
            token = _draft(app)
            save = _section_save(token, _all_yes(app, RACING_SECTION)) if draft == 0 else _profile_save(token)
            tasks += [save, _final_submit(token)]
        key = f"race-key-{seed}-{number:04d}"
        tasks += [_api_create(key, body) for body in (BODY_A, BODY_B, BODY_A, BODY_B)]
        shuffle(tasks)
        rounds.append(tasks)
    return rounds


def _race(tablets: list[Tablet], rounds: list[list[Task]]) -> list[Reply]:
    """Each round's tasks leave together, one per thread (a barrier), on the same app."""
    barrier = threading.Barrier(len(tablets), timeout=120)
    replies: list[Reply] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        for tasks in rounds:
            barrier.wait()
            try:
                reply = tasks[index](tablets[index])
            except BaseException as exc:  # reported after the join, with the others
                with lock:
                    failures.append(exc)
                continue
            with lock:
                replies.append(reply)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(tablets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    return replies


def _idempotency_problems(replies: list[Reply]) -> list[str]:
    """Per key: exactly one 201; the first body's repeats 200 with the same screening; others 409."""
    by_key: dict[str, list[Reply]] = {}
    for reply in (reply for reply in replies if reply.kind == "api"):
        by_key.setdefault(reply.key, []).append(reply)
    problems = []
    for key, sent in by_key.items():
        created = [reply for reply in sent if reply.status == 201]
        if len(created) != 1:
            problems.append(f"{key}: {len(created)} × 201 ({[reply.status for reply in sent]})")
            continue
        first = created[0]
        for reply in sent:
            if reply.sent == first.sent and (reply.status not in (200, 201) or reply.body != first.body):
                problems.append(f"{key}: a repeat of the first body got {reply.status} or another screening")
            if reply.sent != first.sent and (reply.status, (reply.body or {}).get("error", {}).get("code")) != (
                409,
                "idempotency_conflict",
            ):
                problems.append(f"{key}: another body got {reply.status}, not 409 idempotency_conflict")
    return problems


def test_hundreds_of_racing_saves_submits_and_api_creates_leave_every_result_true(app: Flask) -> None:
    tablets = _tablets(app)
    replies = _race(tablets, _rounds(app, seed=12))
    assert len(replies) == ROUNDS * THREADS

    web = [reply for reply in replies if reply.kind != "api"]
    assert {reply.status for reply in web} == {302}, Counter(reply.status for reply in web)
    assert all(reply.body.endswith("/result") for reply in web if reply.kind == "submit")
    rows = _stored(app)
    assert len(rows) == ROUNDS * 3 and all(row.completed for row in rows)
    # Every problem at once, so a failure says how many of each kind.
    problems = _idempotency_problems(replies) + _rescoring_mismatches(app)
    assert problems == [], f"{len(problems)} problems: {problems[:10]}"
    assert _completion_events(app) == Counter({str(row.id): 1 for row in rows})
    assert _statistics_problems(app, rows) == []


def _statistics_problems(app: Flask, rows: list[Screening]) -> list[str]:
    """One statistics row per completed screening, at its level, and counts that add up to them."""
    with _session(app) as db:
        levels = {sid: level for sid, level in db.execute(select(ScreeningStat.screening_id, ScreeningStat.level))}
        counted = statistics_db.counts(db, statistics_db.Filters())["by_level"]
    problems = [f"screening {row.id}: no statistics row at its level" for row in rows
                if levels.get(row.id) != (row.result or {}).get("level")]  # fmt: skip
    if len(levels) != len(rows) or counted != dict(Counter(str(level) for level in levels.values())):
        problems.append(f"{len(levels)} statistics rows for {len(rows)} screenings, counted {counted}")
    return problems


# --- the core's reading of answers files and API bodies --------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answers": {"coer.threats": []}}, "invalid answer [] for 'coer.threats'"),
        ({"answers": {"coer.threats": {"a": 1}}}, "invalid answer {'a': 1} for 'coer.threats'"),
        ({"safety": {"safety.immediate_danger": 1}}, "invalid answer 1 for 'safety.immediate_danger'"),
        ({"answers": {"coer.threats": None}}, "invalid answer None for 'coer.threats'"),
        ({"consent": []}, "consent must be one of given, declined, not_recorded, found []"),
        ({"age_estimate": {}}, "age_estimate must be one of clearly_adult, may_be_minor, clearly_child"),
    ],
)
def test_values_of_the_wrong_type_are_refused_with_a_message(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ScoringInputError) as error:
        parse_screening_input(data)
    assert str(error.value).startswith(message)


def test_a_slip_number_drawn_twice_is_drawn_again(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two slips of one day may draw the same six digits: the second completion (through the pages
    or the API) draws again instead of failing on the unique slip number."""
    drawn = iter(["20261202-AAAAAA", "20261202-AAAAAA", "20261202-BBBBBB", "20261202-AAAAAA", "20261202-CCCCCC"])
    monkeypatch.setattr(ops, "new_slip_number", lambda _now: next(drawn))
    make_user(app)
    first, second = _draft(app), _draft(app)
    for token in (first, second):
        with _session(app) as db:
            assert ops.complete(db, _content(app), _load(db, token), "en")
    token = token_for(app)
    client = app.test_client()
    headers = {**auth(token), "Idempotency-Key": "slip-drawn-twice"}
    response = client.post("/api/v1/screenings", json=BODY, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert sorted(row.slip_number for row in _stored(app)) == [
        "20261202-AAAAAA",
        "20261202-BBBBBB",
        "20261202-CCCCCC",
    ]

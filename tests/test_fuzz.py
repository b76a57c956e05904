"""Random and mutated form posts to every form endpoint: never a 5xx, never a traceback, never a
half-written record."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.core.model import Content
from screening.core.scoring import ANSWERS
from screening.models import Screening, User
from screening.web.forms import field_name
from tests.conftest import Client, login, make_user
from tests.test_web import ADULT_PROFILE, answer_all_pages, finish, start

FIELDS = [
    "role",
    "indicator_set",
    "language",
    "second_language",
    "start_key",
    "age",
    "age_unknown",
    "age_uncertain",
    "sex",
    "nationality",
    "asylum_seeker",
    "spoken_language",
    "municipality",
    "case_reference",
    "consent",
    "informed_of_rights",
    "username",
    "password",
    "current",
    "new",
    "confirm",
    "institution",
    "_action",
    "_lang",
    "_return",
    field_name("safety.immediate_danger"),
    field_name("gen.cannot_leave"),
    field_name("gen.nope"),
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "yes",
            "no",
            "unknown",
            "not_asked",
            "general",
            "en",
            "sr_Cyrl",
            "back",
            "next",
            "finish",
            "review",
            "police",
            "admin",
            "17",
            "-1",
            "999999999999",
            "",
            "prishtine",
            "other",
            "given",
        ]
    ),
    st.text(max_size=300),
)
FORMS = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=30)), VALUES, max_size=12)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def assert_consistent(app: Flask, content: Content) -> None:
    """Every stored screening is whole: valid answers only, and a result exactly when completed."""
    with Session(app.extensions["screening.engine"]) as db:
        for screening in db.scalars(select(Screening)):
            indicator_set = content.get_set(screening.set_id, screening.set_version)
            assert indicator_set is not None
            assert set(screening.answers) <= indicator_set.item_ids
            assert set(screening.answers.values()) <= set(ANSWERS)
            completed = screening.status == "completed"
            assert completed == (screening.result is not None) == (screening.slip_number is not None)


def assert_answered_well(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@FUZZ
@given(data=FORMS, step=st.sampled_from(["safety", "profile", "observe", "work_living", "review", "nowhere"]))
def test_screening_pages(app: Flask, client: Client, content: Content, data: dict[str, str], step: str) -> None:
    base = getattr(app, "_fuzz_base", None) or start(client)
    app._fuzz_base = base  # type: ignore[attr-defined]
    client.get(f"{base}/{step}")
    assert_answered_well(client.post(f"{base}/{step}", data=data))
    assert_answered_well(client.post("/new", data=data))
    assert_consistent(app, content)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@FUZZ
@given(data=FORMS)
def test_result_consent_and_slip(app: Flask, client: Client, content: Content, data: dict[str, str]) -> None:
    base = getattr(app, "_fuzz_done", None)
    if base is None:
        base = start(client)
        answer_all_pages(client, base, {}, ADULT_PROFILE, "en")
        finish(client, base)
        app._fuzz_done = base  # type: ignore[attr-defined]
    assert_answered_well(client.post(f"{base}/consent", data=data))
    assert_answered_well(client.get(f"{base}/slip", query_string=data))
    assert_answered_well(client.post(f"{base}/erase", data={**data, "csrf_token": "forged"}, csrf=False))
    assert_consistent(app, content)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@FUZZ
@given(data=FORMS)
def test_login_password_and_admin_forms(app: Flask, anonymous: Client, data: dict[str, str]) -> None:
    if not getattr(app, "_fuzz_admin", False):
        make_user(app, "root", "admin")
        app._fuzz_admin = True  # type: ignore[attr-defined]
    anonymous.get("/login")
    assert_answered_well(anonymous.post("/login", data=data))
    admin = Client(app.test_client())
    login(admin, "root")
    admin.get("/admin/users")
    with Session(app.extensions["screening.engine"]) as db:
        before = db.scalars(select(User.username)).all()
    response = admin.post("/admin/users", data=data)
    assert_answered_well(response)
    with Session(app.extensions["screening.engine"]) as db:
        after = db.scalars(select(User.username)).all()
    assert len(after) - len(before) == (1 if response.status_code == 200 else 0)
    assert_answered_well(admin.post("/account/password", data=data))
    assert_answered_well(admin.post("/admin/users/999/reset", data=data))
    assert_answered_well(admin.post("/admin/users/1/explode", data=data))

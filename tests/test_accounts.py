"""Accounts, roles, sessions, audit trail and data protection (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.exc import DatabaseError as SQLDatabaseError
from sqlalchemy.orm import Session

from screening.models import AuditEvent, Screening, User, UserSession
from screening.web.access import PUBLIC, access_of
from tests.conftest import PASSWORD, Client, login, make_user
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish, start


def events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    with Session(app.extensions["screening.engine"]) as db:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.scalars(query))


def user(app: Flask, username: str) -> User:
    with Session(app.extensions["screening.engine"]) as db:
        return db.scalars(select(User).where(User.username == username)).one()


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules() if access_of(app, rule.endpoint) in (None, frozenset())
    ]
    assert undeclared == []
    public = sorted(r.endpoint for r in app.url_map.iter_rules() if access_of(app, r.endpoint) == PUBLIC)
    # Trainees have no account: the join code gates the training pages. The API's public part is
    # read-only content; the rest of the API declares token access.
    assert public == [
        "api.get_set", "api.openapi", "api.sets", "auth.index", "auth.login", "checklist.switch_language",
        "ops.healthz", "static", "training.feedback", "training.join", "training.scenario", "training.scenarios",
    ]  # fmt: skip


def test_an_undeclared_route_is_refused(tmp_path: object) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path)  # type: ignore[arg-type]
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    assert app.test_client().get("/undeclared").status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(anonymous: Client) -> None:
    response = anonymous.get("/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/new")
    assert anonymous.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("screener", ["/new", "/screenings", "/indicators/"], ["/admin/users", "/admin/statistics"]),
        ("supervisor", ["/admin/statistics", "/indicators/"], ["/new", "/screenings", "/admin/users", "/admin/audit"]),
        ("trainer", ["/indicators/", "/indicators/general/2025.1"], ["/new", "/admin/statistics"]),
        ("admin", ["/admin/users", "/admin/audit", "/admin/statistics"], ["/new", "/screenings"]),
    ],
)
def test_roles(app: Flask, anonymous: Client, role: str, allowed: list[str], refused: list[str]) -> None:
    login(anonymous, make_user(app, f"a-{role}", role))
    for path in allowed:
        assert anonymous.get(path).status_code == 200, path
    for path in refused:
        assert anonymous.get(path).status_code == 403, path
    assert events(app, "access_denied")


def test_a_supervisor_never_sees_an_individual_screening(app: Flask, client: Client, anonymous: Client) -> None:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    finish(client, base)
    login(anonymous, make_user(app, "boss", "supervisor"))
    assert anonymous.get(f"{base}/result").status_code == 403
    body = anonymous.get("/admin/statistics").get_data(as_text=True)
    assert "Completed screenings:</strong> &lt;5" in body  # one screening: a small cell


def test_screeners_see_only_their_institutions_screenings(app: Flask, client: Client, anonymous: Client) -> None:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    finish(client, base)
    login(anonymous, make_user(app, "nurse", "screener", institution="health"))
    assert anonymous.get(f"{base}/result").status_code == 404
    assert anonymous.get(f"{base}/slip").status_code == 404
    assert base.rsplit("/", 1)[1] not in anonymous.get("/screenings").get_data(as_text=True)
    colleague = Client(app.test_client())
    login(colleague, make_user(app, "colleague", "screener", institution="police"))
    assert colleague.get(f"{base}/result").status_code == 200


def test_wrong_passwords_slow_down_then_lock_and_an_admin_unlocks(app: Flask, anonymous: Client) -> None:
    make_user(app, "target")
    for _ in range(3):
        assert login(anonymous, "target", "wrong password here").status_code == 401
    throttled = login(anonymous, "target", PASSWORD)  # even the right password must wait now
    assert throttled.status_code == 401 and "Too many attempts" in throttled.get_data(as_text=True)
    with Session(app.extensions["screening.engine"]) as db:
        db.execute(update(User).where(User.username == "target").values(failed_logins=7, next_attempt_at=None))
        db.commit()
    locked = login(anonymous, "target", "wrong password here")
    assert "locked" in locked.get_data(as_text=True)
    assert login(anonymous, "target", PASSWORD).status_code == 401
    assert [e.actor for e in events(app, "lockout")] == ["target"]
    admin = Client(app.test_client())
    login(admin, make_user(app, "root", "admin"))
    admin.get("/admin/users")
    admin.post(f"/admin/users/{user(app, 'target').id}/unlock")
    assert login(anonymous, "target", PASSWORD).status_code == 302


def test_a_new_session_id_at_login_and_logout_ends_it(app: Flask, anonymous: Client) -> None:
    make_user(app, "someone")
    with anonymous.client.session_transaction() as cookie:
        cookie["sid"] = "planted-by-an-attacker"
    login(anonymous, "someone")
    with anonymous.client.session_transaction() as cookie:
        sid = cookie["sid"]
    assert sid != "planted-by-an-attacker" and len(sid) >= 40
    stolen = Client(app.test_client())
    with stolen.client.session_transaction() as cookie:
        cookie["sid"] = sid
    assert stolen.get("/new").status_code == 200
    anonymous.get("/new")
    anonymous.post("/logout")
    assert stolen.get("/new").status_code == 302  # the server ended the session for good


def test_idle_sessions_expire(app: Flask, client: Client) -> None:
    with Session(app.extensions["screening.engine"]) as db:
        db.execute(update(UserSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)))
        db.commit()
    response = client.get("/new")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert "logged out after a time without activity" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert events(app, "session_expired")


def test_first_login_requires_a_new_password_that_meets_the_policy(app: Flask, anonymous: Client) -> None:
    from screening import accounts
    from screening.web.vocabulary import INSTITUTIONS

    with app.extensions["screening.sessionmaker"]() as db:
        _user, issued = accounts.create_user(
            db, "newbie", role="screener", institution="csw", institutions=tuple(INSTITUTIONS), actor="test"
        )
    assert issued
    login(anonymous, "newbie", issued)
    assert anonymous.get("/new").headers["Location"] == "/account/password"
    anonymous.get("/account/password")
    for weak, message in [("short", "at least 12"), ("password1234", "too common"), ("aaaaaaaaaaaaaaaa", "too easy")]:
        response = anonymous.post("/account/password", data={"current": issued, "new": weak, "confirm": weak})
        assert response.status_code == 400 and message in response.get_data(as_text=True), weak
    good = "copper kettle sings at dawn"
    response = anonymous.post("/account/password", data={"current": issued, "new": good, "confirm": good})
    assert response.status_code == 302
    assert anonymous.get("/new").status_code == 200
    assert user(app, "newbie").password_hash.startswith("$argon2id$")


def test_the_audit_trail_records_actions_without_personal_data(app: Flask, client: Client) -> None:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, {**ADULT_PROFILE, "case_reference": "ZZ-CASE-9137"}, "en")
    finish(client, base)
    client.get(f"{base}/result")
    client.get(f"{base}/slip?lang=sq")
    client.get(f"{base}/slip.pdf")
    actions = [e.action for e in events(app)]
    for action in (
        "login",
        "screening_created",
        "screening_completed",
        "screening_viewed",
        "slip_printed",
        "slip_downloaded",
    ):
        assert action in actions
    with Session(app.extensions["screening.engine"]) as db:
        dump = " ".join(str(row) for row in db.execute(text("SELECT * FROM audit_events")).all())
    assert "ZZ-CASE-9137" not in dump and "peje" not in dump and "female" not in dump


def test_the_audit_trail_is_append_only(app: Flask, client: Client) -> None:
    assert events(app, "login")
    for statement in ("UPDATE audit_events SET outcome = 'forged'", "DELETE FROM audit_events"):
        with Session(app.extensions["screening.engine"]) as db, pytest.raises(SQLDatabaseError):
            db.execute(text(statement))
            db.commit()
    assert all(e.outcome != "forged" for e in events(app))


def test_admins_view_and_export_the_audit_trail(app: Flask, anonymous: Client) -> None:
    login(anonymous, make_user(app, "root", "admin"))
    assert "login" in anonymous.get("/admin/audit").get_data(as_text=True)
    export = anonymous.get("/admin/audit.csv")
    assert export.mimetype == "text/csv" and export.get_data(as_text=True).startswith("id,at,actor,action")
    assert events(app, "export")


def test_admins_create_users_with_a_one_time_password(app: Flask, anonymous: Client) -> None:
    login(anonymous, make_user(app, "root", "admin"))
    anonymous.get("/admin/users")
    new_user = {
        "username": "inspector1",
        "role": "screener",
        "institution": "labour_inspectorate",
        "municipality": "gjilan",
    }
    response = anonymous.post("/admin/users", data=new_user)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "One-time password for inspector1" in body
    created = user(app, "inspector1")
    assert (created.role, created.institution, created.must_change_password) == (
        "screener",
        "labour_inspectorate",
        True,
    )
    duplicate = anonymous.post(
        "/admin/users", data={"username": "inspector1", "role": "screener", "institution": "csw"}
    )
    assert duplicate.status_code == 400 and "taken" in duplicate.get_data(as_text=True)
    assert [e.object_id for e in events(app, "user_created")][-1] == "inspector1"


def _complete_screening(client: Client, reference: str = "ZZ-CASE-9137") -> str:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, {**ADULT_PROFILE, "case_reference": reference}, "en")
    finish(client, base)
    return base


def test_retention_erases_answers_profile_and_reference_but_keeps_counts(app: Flask, client: Client) -> None:
    from screening import operations

    base = _complete_screening(client)
    with Session(app.extensions["screening.engine"]) as db:
        db.execute(update(Screening).values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=91)))
        db.commit()
        assert operations.purge(db, retention_days=90) == 1
        assert operations.purge(db, retention_days=90) == 0  # idempotent
        [stored] = db.scalars(select(Screening)).all()
        assert stored.answers == {} and stored.profile == {} and stored.erased_at is not None
        # Only what the anonymous section 1.4 tables need remains: coarse fields, no answers, no reference.
        assert stored.result == {
            "level": 3,
            "child": False,
            "urgent": False,
            "forms": stored.result["forms"],
            "set_id": "general",
            "set_version": "2026.2",
            "municipality": "peje",
            "coarse": {"sex": "female", "age_group": "31_35", "origin": "unknown"},
        }
        dump = " ".join(str(row) for row in db.execute(text("SELECT * FROM screenings")).all())
    assert "ZZ-CASE-9137" not in dump
    assert client.get(f"{base}/result").status_code == 404
    assert [e.outcome for e in events(app, "purge")] == ["erased 1", "erased 0"]


def test_a_screener_erases_one_screening_after_confirming(app: Flask, client: Client) -> None:
    base = _complete_screening(client)
    client.get(f"{base}/erase")
    response = client.post(f"{base}/erase")
    assert response.status_code == 302
    with Session(app.extensions["screening.engine"]) as db:
        [stored] = db.scalars(select(Screening)).all()
    assert stored.erased_at is not None and stored.profile == {}
    assert events(app, "screening_erased")


def test_no_personal_data_in_logs_or_urls(app: Flask, client: Client, caplog: pytest.LogCaptureFixture) -> None:
    reference = "ZZ-CASE-9137"
    seen_urls: list[str] = []
    original_open = client.client.open

    def recording_open(*args: object, **kwargs: object) -> object:
        response = original_open(*args, **kwargs)
        seen_urls.append(str(args[0]) if args else "")
        seen_urls.append(response.headers.get("Location", ""))
        return response

    client.client.open = recording_open  # type: ignore[method-assign]
    caplog.set_level(logging.DEBUG)
    base = _complete_screening(client, reference)
    client.get(f"{base}/result")
    client.get(f"{base}/slip?lang=sr_Cyrl")
    client.get("/screenings")
    client.get(f"{base}/step-that-does-not-exist")
    assert seen_urls and all(reference not in url and "peje" not in url for url in seen_urls)
    assert reference not in caplog.text


def test_session_cookies_are_httponly_and_samesite(client: Client) -> None:
    cookie = client.client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_production_refuses_debug_and_sets_secure_cookies(tmp_path: object) -> None:
    from screening.app import create_app
    from screening.settings import SettingsError

    secret = "s" * 40
    app = create_app({"env": "production", "secret_key": secret}, instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    import os

    os.environ["FLASK_DEBUG"] = "1"
    try:
        with pytest.raises(SettingsError, match="debug"):
            create_app({"env": "production", "secret_key": secret}, instance_path=str(tmp_path))
    finally:
        del os.environ["FLASK_DEBUG"]


def test_a_tampered_login_never_answers_500(anonymous: Client) -> None:
    anonymous.get("/login")
    for data in ({"username": "x" * 5000, "password": "y"}, {"username": "", "password": ""}, {"other": "1"}):
        response = anonymous.post("/login", data=data)
        assert response.status_code < 500
        assert "Traceback" not in response.get_data(as_text=True)
    assert re.search(r'<html lang="', anonymous.get("/login").get_data(as_text=True))

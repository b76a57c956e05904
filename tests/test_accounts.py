"""Accounts, roles, sessions, audit trail and data protection (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.exc import DatabaseError as SQLDatabaseError
from sqlalchemy.orm import Session

from screening.models import AuditEvent, Screening, ScreeningStat, User, UserSession
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
        "ops.healthz", "static", "training.feedback", "training.join", "training.rehearse_consent",
        "training.rehearse_danger", "training.rehearse_result", "training.rehearse_slip", "training.rehearse_slip_pdf",
        "training.rehearse_step", "training.scenario", "training.scenarios",
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


REFUSED = "The user name or password is not right, or the account is locked"


def test_wrong_passwords_slow_down_then_lock_and_an_admin_unlocks(app: Flask, anonymous: Client) -> None:
    make_user(app, "target")
    for _ in range(3):
        assert login(anonymous, "target", "wrong password here").status_code == 401
    throttled = login(anonymous, "target", PASSWORD)  # even the right password must wait now
    assert throttled.status_code == 401 and REFUSED in throttled.get_data(as_text=True)
    assert [e.outcome for e in events(app, "login_failed")][-1] == "throttled"
    with Session(app.extensions["screening.engine"]) as db:
        db.execute(update(User).where(User.username == "target").values(failed_logins=7, next_attempt_at=None))
        db.commit()
    locked = login(anonymous, "target", "wrong password here")
    assert locked.status_code == 401 and REFUSED in locked.get_data(as_text=True)
    assert login(anonymous, "target", PASSWORD).status_code == 401
    assert [e.actor for e in events(app, "lockout")] == ["target"]
    assert [e.outcome for e in events(app, "login_failed")][-1] == "locked"
    admin = Client(app.test_client())
    login(admin, make_user(app, "root", "admin"))
    admin.get("/admin/users")
    admin.post(f"/admin/users/{user(app, 'target').id}/unlock")
    assert login(anonymous, "target", PASSWORD).status_code == 302


class HashChecks:
    """Counts Argon2 verifications, telling checks of a user's hash from checks of the dummy hash."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from screening import accounts

        self.real: list[str] = []
        self.dummy: list[str] = []
        self._lock = threading.Lock()
        verify = accounts.verify_password

        def counting(password_hash: str, password: str) -> bool:
            with self._lock:
                (self.dummy if password_hash == accounts._dummy_hash() else self.real).append(password_hash)
            return verify(password_hash, password)

        monkeypatch.setattr(accounts, "verify_password", counting)

    def reset(self) -> None:
        self.real.clear()
        self.dummy.clear()


def _from(app: Flask, address: str) -> Client:
    browser = Client(app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = address
    return browser


def test_parallel_wrong_passwords_are_all_counted_and_only_the_allowed_ones_are_checked(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review D9: 40 parallel guesses got 6 password checks and a count of 3 (lost updates)."""
    from screening.accounts import SLOW_AFTER

    make_user(app, "target")
    checks = HashChecks(monkeypatch)
    browsers = [_from(app, f"10.9.0.{n}") for n in range(40)]  # many addresses: the per-account throttle
    for browser in browsers:
        browser.get("/login")
    barrier = threading.Barrier(len(browsers))

    def guess(browser: Client) -> int:
        barrier.wait()
        return browser.post("/login", data={"username": "target", "password": "wrong password here"}).status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(guess, browsers))
    assert statuses == [401] * 40
    outcomes = [e.outcome for e in events(app, "login_failed") if e.actor == "target"]
    assert len(outcomes) == 40  # every failure recorded, as checked or as throttled
    assert outcomes.count("bad_password") == len(checks.real) == SLOW_AFTER  # no more checks than allowed
    assert user(app, "target").failed_logins == SLOW_AFTER  # and every checked failure counted
    assert len(checks.dummy) == 40 - SLOW_AFTER  # the throttled ones did the same hash work


def _refusal(response: object) -> tuple[int, str]:
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]
    match = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert match, body
    return response.status_code, match.group(0)  # type: ignore[attr-defined]


def test_an_unknown_name_gets_the_answer_and_the_hash_work_of_a_known_one(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review D10: a throttled known name answered "Too many attempts" at once; an unknown one never."""
    from screening import accounts

    make_user(app, "known")
    make_user(app, "throttled")
    make_user(app, "locked")
    make_user(app, "gone")
    with app.extensions["screening.sessionmaker"]() as db:
        accounts.set_active(db, accounts.find_user(db, "gone"), False, actor="test")  # type: ignore[arg-type]
        db.commit()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    with Session(app.extensions["screening.engine"]) as db:
        db.execute(update(User).where(User.username == "throttled").values(failed_logins=4, next_attempt_at=later))
        db.execute(update(User).where(User.username == "locked").values(locked_until=later))
        db.commit()
    checks = HashChecks(monkeypatch)
    answers = {}
    for name in ("nobody-here", "known", "throttled", "locked", "gone"):
        checks.reset()
        browser = _from(app, "10.8.0.1")
        browser.get("/login")
        answers[name] = _refusal(browser.post("/login", data={"username": name, "password": "wrong password here"}))
        assert len(checks.real) + len(checks.dummy) == 1, name  # one Argon2 verification, whatever the case
    assert len(set(answers.values())) == 1, answers
    assert answers["known"][0] == 401 and REFUSED in answers["known"][1]
    parameters = {h.rsplit("$", 2)[0] for h in (user(app, "known").password_hash, accounts._dummy_hash())}
    assert len(parameters) == 1  # the dummy hash costs what a real one costs


def test_one_address_trying_many_names_is_limited(app: Flask) -> None:
    from screening.models import LoginAddress

    app.config["SCREENING_SETTINGS"] = replace(app.config["SCREENING_SETTINGS"], login_failures_per_address=5)
    make_user(app, "officer")
    attacker, colleague = _from(app, "203.0.113.7"), _from(app, "198.51.100.2")
    for n in range(4):
        assert login(attacker, f"guess-{n}", "wrong password here").status_code == 401
    for _ in range(3):  # logins that succeed do not count against the address
        assert login(attacker, "officer").status_code == 302
        attacker.post("/logout")
    assert login(attacker, "guess-4", "wrong password here").status_code == 401
    limited = login(attacker, "officer")  # the 6th failure: even a right password waits
    assert limited.status_code == 429 and "Too many attempts. Wait" in limited.get_data(as_text=True)
    assert login(colleague, "officer").status_code == 302  # another address is not affected
    assert [e.outcome for e in events(app, "login_failed")].count("address_limit") == 1
    with Session(app.extensions["screening.engine"]) as db:
        stored = " ".join(f"{a.address_key} {a.failures}" for a in db.scalars(select(LoginAddress)))
    assert "203.0.113.7" not in stored and "198.51.100.2" not in stored  # only keyed hashes


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


def test_changing_ones_password_ends_the_other_sessions(app: Flask) -> None:
    """Review D11: the second session still got 200 on /new after the first changed the password."""
    make_user(app, "twotabs")
    here, elsewhere = Client(app.test_client()), Client(app.test_client())
    login(here, "twotabs")
    login(elsewhere, "twotabs")
    assert elsewhere.get("/new").status_code == 200
    here.get("/account/password")
    new = "copper kettle sings at dawn"
    assert here.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new}).status_code == 302
    assert here.get("/new").status_code == 200  # the session that changed it goes on
    assert elsewhere.get("/new").headers["Location"].startswith("/login")
    assert login(elsewhere, "twotabs", new).status_code == 302


def test_a_session_ends_after_its_absolute_lifetime(app: Flask, client: Client) -> None:
    def logged_in_hours_ago(hours: int) -> None:
        now = dt.datetime.now(dt.UTC)
        with Session(app.extensions["screening.engine"]) as db:
            db.execute(update(UserSession).values(created_at=now - dt.timedelta(hours=hours), last_seen_at=now))
            db.commit()

    logged_in_hours_ago(11)
    assert client.get("/new").status_code == 200  # busy all day: still logged in
    logged_in_hours_ago(13)
    response = client.get("/new")
    assert response.status_code == 302 and "expired=lifetime" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "a login lasts at most 12 hours" in page
    assert client.get("/new").status_code == 302  # ended for good
    assert [e.outcome for e in events(app, "session_expired")] == ["lifetime"]


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
    assert "Logged in" in anonymous.get("/admin/audit").get_data(as_text=True)  # the action in words
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
        # Nothing of the person stays in the screening; the anonymous counts are its statistics row,
        # which only the section 1.4 tables' coarse fields make up, and which no longer names it.
        assert stored.result is None and stored.referrals is None
        [stat] = db.scalars(select(ScreeningStat)).all()
        assert stat.screening_id is None
        assert (stat.level, stat.set_id, stat.municipality) == (3, "general", "peje")
        assert (stat.sex, stat.age_group, stat.origin) == ("female", "31_35", "unknown")
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


def test_api_tokens_note_their_last_use_and_stop_at_a_reset_a_disable_or_a_revocation(app: Flask) -> None:
    """Review D5: a reset left the token working; nothing listed or revoked tokens."""
    from screening import accounts
    from screening.models import ApiToken
    from tests.test_api import BODY, auth, token_for

    api = app.test_client()
    token = token_for(app, "device")
    assert api.post("/api/v1/score", json=BODY, headers=auth(token)).status_code == 200
    with Session(app.extensions["screening.engine"]) as db:
        (record,) = db.scalars(select(ApiToken))
    assert record.last_used_at is not None and record.prefix == token[:7]

    admin = Client(app.test_client())
    login(admin, make_user(app, "root", "admin"))
    page = admin.get("/admin/users").get_data(as_text=True)
    assert token[:7] in page and token not in page and "never" not in page.split("API tokens")[1]
    admin.post(f"/admin/users/{user(app, 'device').id}/reset")
    assert api.post("/api/v1/score", json=BODY, headers=auth(token)).status_code == 401

    with app.extensions["screening.sessionmaker"]() as db:
        second = accounts.issue_api_token(db, accounts.find_user(db, "device"), actor="test")  # type: ignore[arg-type]
        third = accounts.issue_api_token(db, accounts.find_user(db, "device"), actor="test")  # type: ignore[arg-type]
    page = admin.get("/admin/users").get_data(as_text=True)
    assert page.count(">revoked<") == 1 and "never" in page
    with Session(app.extensions["screening.engine"]) as db:
        second_id = db.scalars(select(ApiToken.id).where(ApiToken.prefix == second[:7])).one()
    assert admin.post(f"/admin/tokens/{second_id}/revoke").status_code == 302
    assert api.post("/api/v1/score", json=BODY, headers=auth(second)).status_code == 401
    assert api.post("/api/v1/score", json=BODY, headers=auth(third)).status_code == 200
    admin.get("/admin/users")
    admin.post(f"/admin/users/{user(app, 'device').id}/disable")
    admin.post(f"/admin/users/{user(app, 'device').id}/enable")
    assert api.post("/api/v1/score", json=BODY, headers=auth(third)).status_code == 401  # enabling does not revive it
    revoked = [e for e in events(app, "user_changed") if e.outcome == "token_revoked"]
    assert [(e.actor, e.object_type) for e in revoked] == [("root", "api_token")] * 3
    assert admin.post("/admin/tokens/9999/revoke").status_code == 404

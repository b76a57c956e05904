"""Hostile input gets the app's own 400 (translated page, or JSON error on the API), never a 500:
each reproduction of the security review (D4, D7, D8, D18), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from screening.core.model import Content
from screening.db import get_session
from screening.models import User
from screening.web.access import public
from tests.conftest import Client, login, make_user
from tests.test_api import BODY, auth, token_for
from tests.test_training import create_session, join
from tests.test_web import start

REFUSED = "The page sent something that cannot be accepted"
TOO_LARGE = "The page sent more data than the server accepts"


def assert_refused_page(response: Any, status: int = 400, message: str = REFUSED) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:500]
    assert response.mimetype == "text/html"
    assert message in body
    assert "Content-Security-Policy" in response.headers


def assert_refused_json(response: Any, code: str, status: int = 400) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.get_json()["error"]["code"] == code


def test_a_nul_in_the_login_user_name_is_refused(app: Flask, anonymous: Client) -> None:
    anonymous.get("/login")
    assert_refused_page(anonymous.post("/login", data={"username": "a\x00", "password": "x"}))


def test_a_nul_in_a_join_code_is_refused(app: Flask, anonymous: Client) -> None:
    anonymous.get("/join")
    response = anonymous.post(
        "/join", data={"code": "ABC\x00EF", "display_name": "Ana", "profession": "police", "language": "en"}
    )
    assert_refused_page(response)


def test_a_nul_in_a_screening_path_is_refused(client: Client) -> None:
    assert_refused_page(client.get("/s/a%00/safety"))


def test_a_nul_in_a_class_code_is_refused(app: Flask) -> None:
    trainer = Client(app.test_client())
    login(trainer, make_user(app, "coach", "trainer"))
    assert_refused_page(trainer.get("/training/a%00b"))


def test_a_nul_in_an_api_token_path_is_refused(app: Flask) -> None:
    token = token_for(app)
    response = app.test_client().get("/api/v1/screenings/a%00", headers=auth(token))
    assert_refused_json(response, "invalid_characters")


@pytest.mark.parametrize("path", ["/api/v1/score", "/api/v1/screenings"])
def test_json_nested_a_thousand_deep_is_refused(app: Flask, path: str) -> None:
    token = token_for(app)
    headers = {**auth(token), "Idempotency-Key": "deep-json-key", "Content-Type": "application/json"}
    for depth in (32, 1000, 50_000):  # inside an object: 32 lists make 33 levels
        raw = '{"set": "general", "answers": ' + "[" * depth + "]" * depth + "}"
        assert_refused_json(app.test_client().post(path, data=raw, headers=headers), "json_too_deep")


def test_json_within_the_depth_limit_is_scored(app: Flask) -> None:
    token = token_for(app)
    response = app.test_client().post("/api/v1/score", json=BODY, headers=auth(token))
    assert response.status_code == 200


def _multipart_with_a_nameless_part(csrf: str, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "hostileboundary"
    parts = [("csrf_token", csrf), *fields.items(), (None, "no name")]
    chunks = []
    for name, value in parts:
        disposition = "form-data" if name is None else f'form-data; name="{name}"'
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n")
    chunks.append(f"--{boundary}--\r\n")
    return "".join(chunks).encode(), f"multipart/form-data; boundary={boundary}"


def test_a_nameless_multipart_part_on_a_section_page_is_refused(client: Client) -> None:
    base = start(client)
    client.get(f"{base}/observe")
    assert client.csrf
    body, content_type = _multipart_with_a_nameless_part(client.csrf, {"_action": "next"})
    response = client.client.post(
        f"{base}/observe", data=body, content_type=content_type, headers={"Accept-Language": "en"}
    )
    assert_refused_page(response)


def test_a_nameless_multipart_part_on_a_training_scenario_is_refused(app: Flask, content: Content) -> None:
    scenario = sorted(content.scenarios)[0]
    _trainer, code = create_session(app, content, [scenario])
    trainee = join(app, code, "Ana", "police", "en")
    trainee.get(trainee.get(f"/t/{scenario}").headers["Location"])
    assert trainee.csrf
    body, content_type = _multipart_with_a_nameless_part(trainee.csrf, {"_action": "next"})
    response = trainee.client.post(
        f"/t/{scenario}/s/safety", data=body, content_type=content_type, headers={"Accept-Language": "en"}
    )
    assert_refused_page(response)


@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20x=1", "/%0aevil", "/%09/evil.com"])
def test_a_line_break_or_tab_in_next_is_refused(anonymous: Client, target: str) -> None:
    response = anonymous.get(f"/language/en?next={target}")
    assert_refused_page(response)
    assert "Set-Cookie: x" not in str(response.headers) and "evil" not in response.headers.get("Location", "")


def test_control_characters_in_api_json_keys_and_values_are_refused(app: Flask) -> None:
    token = token_for(app)
    for body in (
        {**BODY, "municipality": "pej\x00e"},
        {**BODY, "answers": {"doc.held_by_controller\x01": "yes"}},
        {**BODY, "answers": {"doc.held_by_controller": "yes\n"}},
    ):
        response = app.test_client().post("/api/v1/score", json=body, headers=auth(token))
        assert_refused_json(response, "invalid_characters")
    lone_surrogate = json.dumps(BODY).replace('"female"', '"fem\\ud800"')
    response = app.test_client().post(
        "/api/v1/score", data=lone_surrogate, headers={**auth(token), "Content-Type": "application/json"}
    )
    assert_refused_json(response, "invalid_characters")


def test_a_tab_in_a_form_value_is_not_refused(app: Flask, anonymous: Client) -> None:
    """A pasted TAB is ordinary text: the login just fails as with any wrong password."""
    make_user(app, "officer")
    anonymous.get("/login")
    response = anonymous.post("/login", data={"username": "officer", "password": "wrong\tpassword"})
    assert response.status_code == 401


def test_an_oversized_form_post_gets_the_translated_413_page(app: Flask, anonymous: Client) -> None:
    anonymous.get("/login")
    response = anonymous.post("/login", data={"username": "a" * 1_100_000, "password": "x"})
    assert_refused_page(response, 413, TOO_LARGE)


def test_an_oversized_api_body_gets_a_json_413(app: Flask) -> None:
    token = token_for(app)
    body = {**BODY, "padding": "x" * 1_100_000}
    response = app.test_client().post("/api/v1/score", json=body, headers=auth(token))
    assert_refused_json(response, "too_large", 413)


def test_the_request_size_limit_is_a_setting(tmp_path: Any) -> None:
    from tests.conftest import make_app

    small = make_app(tmp_path, max_request_bytes=2_000)
    token = token_for(small)
    client = small.test_client()
    assert client.post("/api/v1/score", json=BODY, headers=auth(token)).status_code == 200
    response = client.post("/api/v1/score", json={**BODY, "padding": "x" * 2_000}, headers=auth(token))
    assert_refused_json(response, "too_large", 413)
    small.extensions["screening.engine"].dispose()


# D4: bound SQL parameters never reach the log.

RECOGNISABLE = "Hostile-Parameter-7f3a"


def test_a_database_error_logs_no_bound_parameter(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    make_user(app, "officer")

    @public
    def duplicate_user() -> str:
        # A unique violation on the user name, with a recognisable value in another column.
        db = get_session()
        db.add(User(username="officer", password_hash="x", role="screener", institution=RECOGNISABLE))
        db.commit()
        return "stored"

    app.add_url_rule("/duplicate-user", view_func=duplicate_user)
    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/duplicate-user")
    assert response.status_code == 500
    assert RECOGNISABLE not in response.get_data(as_text=True)
    assert any(r.exc_info for r in caplog.records), "the error was not logged with its traceback"
    formatter = logging.Formatter()
    for record in caplog.records:
        line = formatter.format(record)
        assert RECOGNISABLE not in line, line


# D8: a database that goes away during teardown.


def _kill_own_connection(app: Flask, postgres_url: str) -> None:
    """Terminate, from another connection, the PostgreSQL backend the request's session holds."""
    pid = get_session().execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = create_engine(postgres_url)
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_database_gone_during_teardown_keeps_the_apps_answer(
    app: Flask, client: Client, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The connection dies after the page is made: the ROLLBACK at teardown fails, the page stands."""
    app.after_request_funcs.setdefault(None, []).insert(0, _after(app, postgres_url))
    response = client.get("/screenings")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    assert "database connection lost" in caplog.text
    assert client.get("/screenings").status_code == 200  # the next request gets a fresh connection


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_database_gone_mid_request_answers_the_503_page(app: Flask, client: Client, postgres_url: str) -> None:
    """The connection dies before the view's query: the app's 503 page with Retry-After, then teardown."""
    app.before_request_funcs.setdefault(None, []).append(lambda: _kill_own_connection(app, postgres_url))
    response = client.get("/screenings")
    assert response.status_code == 503
    assert "Retry-After" in response.headers and "Content-Security-Policy" in response.headers
    assert "cannot reach its database" in response.get_data(as_text=True)


def _after(app: Flask, postgres_url: str) -> Any:
    def kill(response: Any) -> Any:
        _kill_own_connection(app, postgres_url)
        return response

    return kill


def test_an_id_too_large_for_the_database_is_not_found(app: Flask) -> None:
    admin = Client(app.test_client())
    login(admin, make_user(app, "root", "admin"))
    admin.get("/admin/users")
    for path in ("/admin/tokens/99999999999999999999999/revoke", "/admin/users/3000000000/unlock"):
        assert admin.post(path, data={}).status_code == 404, path

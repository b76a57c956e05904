"""The referring officer's name on the slip (issue 11): a receiving office must know who referred.

The account's full name is printed as the referring officer; without one, the user name is printed
and labelled as such. The user sets their own name, an administrator can give it at creation, and
the CLI can set it; the audit trail records that the name changed, never the name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.cli import main
from screening.models import AuditEvent, User
from tests.conftest import Client, login, make_user
from tests.test_slip import text_of
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish, start

NAME = "Arta Krasniqi"


def slip_text(client: Client) -> str:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    finish(client, base)
    page = client.get(f"{base}/slip?lang=en")
    assert page.status_code == 200
    return text_of(page.get_data(as_text=True))


def stored_user(app: Flask, username: str) -> User:
    with Session(app.extensions["screening.engine"]) as db:
        return db.scalars(select(User).where(User.username == username)).one()


def test_without_a_name_the_slip_prints_the_user_name_as_such(client: Client) -> None:
    text = slip_text(client)
    assert "Name (user account) officer" in text


def test_the_officer_sets_their_name_and_the_slip_prints_it(app: Flask, client: Client) -> None:
    page = client.get("/account/name")
    assert page.status_code == 200 and "Your name on referral slips" in page.get_data(as_text=True)
    saved = client.post("/account/name", data={"full_name": "  Arta   Krasniqi "})
    assert saved.status_code == 302 and "saved=1" in saved.headers["Location"]
    assert NAME in client.get("/account/name").get_data(as_text=True)  # the form shows what is stored
    assert stored_user(app, "officer").full_name == NAME  # spaces collapsed
    text = slip_text(client)
    assert f"Name {NAME}" in text and "(user account)" not in text
    with Session(app.extensions["screening.engine"]) as db:
        [event] = db.scalars(select(AuditEvent).where(AuditEvent.outcome == "name_changed")).all()
        assert (event.actor, event.object_id) == ("officer", "officer")
        assert NAME not in repr([event.action, event.object_type, event.object_id, event.outcome])


def save_name(client: Client, name: str) -> None:
    client.get("/account/name")  # the form's CSRF token
    assert client.post("/account/name", data={"full_name": name}).status_code == 302


def test_a_name_too_long_is_refused_and_nothing_changes(app: Flask, client: Client) -> None:
    save_name(client, NAME)
    refused = client.post("/account/name", data={"full_name": "A" * 121})
    assert refused.status_code == 400
    assert "Use at most 120 characters for the name." in refused.get_data(as_text=True)
    assert stored_user(app, "officer").full_name == NAME


def test_an_empty_name_goes_back_to_the_user_name(app: Flask, client: Client) -> None:
    save_name(client, NAME)
    save_name(client, "   ")
    assert stored_user(app, "officer").full_name is None


def test_the_page_is_translated(client: Client) -> None:
    client.get("/language/sq")
    page = client.get("/account/name").get_data(as_text=True)
    assert "Your name on referral slips" not in page and "Emri juaj në fletët e referimit" in page


def test_an_administrator_gives_the_name_when_creating_the_account(app: Flask) -> None:
    admin = Client(app.test_client())
    login(admin, make_user(app, "root", "admin"))
    admin.get("/admin/users")
    created = admin.post(
        "/admin/users",
        data={"username": "nurse.arta", "full_name": NAME, "role": "screener", "institution": "health"},
    )
    assert created.status_code == 200, created.get_data(as_text=True)
    assert stored_user(app, "nurse.arta").full_name == NAME


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("SCREENING_ENV", "testing")
    assert CliRunner().invoke(main, ["init-db"]).exit_code == 0


def test_the_cli_creates_and_renames(database: None) -> None:
    runner = CliRunner()
    created = runner.invoke(
        main, ["users", "create", "arta", "--role", "screener", "--institution", "police", "--full-name", NAME]
    )
    assert created.exit_code == 0, created.output
    renamed = runner.invoke(main, ["users", "set-name", "arta", "Arta K. Berisha"])
    assert renamed.exit_code == 0 and "prints as 'Arta K. Berisha'" in renamed.stdout
    refused = runner.invoke(main, ["users", "set-name", "arta", "x" * 121])
    assert refused.exit_code == 2 and "at most 120" in refused.stderr
    cleared = runner.invoke(main, ["users", "set-name", "arta", ""])
    assert cleared.exit_code == 0 and "prints as 'arta'" in cleared.stdout
    assert re.search(r"no user 'nobody'", runner.invoke(main, ["users", "set-name", "nobody", NAME]).stderr)

"""Audit and records (security review D12 to D16): the audit trail survives TRUNCATE and the app's
own database role, private answers are never cached, CSV cells never run as formulas, names cannot
turn text around, join codes expire and cannot be guessed, and purge refuses a day count below 1."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from screening.cli import main
from screening.core.model import Content
from screening.models import AuditEvent, Screening, Trainee, TrainingSession
from screening.web.access import PUBLIC, access_of
from screening.web.csv_export import spreadsheet_safe
from screening.web.training import JOIN_WRONG_CODES_PER_WINDOW, join_closes_at
from tests.conftest import POSTGRES_URL, Client, login, make_app, make_user
from tests.test_api import BODY, auth, token_for
from tests.test_training import create_session, join

ROOT = Path(__file__).resolve().parents[1]
FORMULA = "=cmd|' /C calc'!A0"


def engine_url(app: Flask) -> str:
    return app.extensions["screening.engine"].url.render_as_string(hide_password=False)


# --- D14: the audit trail on PostgreSQL -------------------------------------------------------


@pytest.fixture
def postgres_app(tmp_path: Path, postgres_url: str) -> Iterator[Flask]:
    application = make_app(tmp_path, postgres_url)
    yield application
    application.extensions["screening.engine"].dispose()


def test_the_audit_trail_refuses_truncate_on_postgresql(postgres_app: Flask) -> None:
    login(Client(postgres_app.test_client()), make_user(postgres_app))
    with Session(postgres_app.extensions["screening.engine"]) as db:
        before = db.scalar(select(func.count()).select_from(AuditEvent))
        for statement in ("TRUNCATE audit_events", "TRUNCATE users, audit_events RESTART IDENTITY CASCADE"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.execute(text(statement))
            db.rollback()
        assert before and db.scalar(select(func.count()).select_from(AuditEvent)) == before


@pytest.fixture
def app_role(postgres_url: str) -> Iterator[tuple[str, str]]:
    """A login role that owns nothing (named after this run's database), and its password."""
    role = f"screening_app_{POSTGRES_URL.rpartition('/')[2]}"
    password = secrets.token_hex(16)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
    yield role, password
    with admin.connect() as connection:
        connection.execute(text(f"DROP OWNED BY {role}"))  # its grants in this database
        connection.execute(text(f"DROP ROLE {role}"))
    admin.dispose()


def as_role(url: str, role: str, password: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{role}:{password}@{rest.partition('@')[2]}"


def test_the_app_runs_as_a_role_that_cannot_change_the_audit_trail(
    tmp_path: Path, postgres_url: str, app_role: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    role, password = app_role
    monkeypatch.setenv("SCREENING_DATABASE_URL", postgres_url)  # the owner grants
    monkeypatch.setenv("SCREENING_ENV", "testing")
    monkeypatch.setenv("SCREENING_SECRET_KEY", "k" * 40)
    granted = CliRunner().invoke(main, ["grant-app-role", role])
    assert granted.exit_code == 0, granted.output
    assert f"GRANT SELECT, INSERT ON TABLE audit_events TO {role};" in granted.stdout

    app = make_app(tmp_path, as_role(postgres_url, role, password))  # the app connects as the role
    try:
        token = token_for(app)
        client = app.test_client()
        created = client.post("/api/v1/screenings", json=BODY, headers={**auth(token), "Idempotency-Key": "role-key-1"})
        assert created.status_code == 201, created.get_data(as_text=True)
        admin = Client(app.test_client())
        assert login(admin, make_user(app, "root", "admin")).status_code == 302
        admin.get("/admin/statistics")
        assert admin.post("/admin/purge").status_code == 302  # updates screenings, appends to the trail
        assert admin.get("/admin/audit.csv").status_code == 200

        engine = app.extensions["screening.engine"]
        with engine.connect() as connection:
            count = connection.scalar(select(func.count()).select_from(AuditEvent))
        for statement in (
            "ALTER TABLE audit_events DISABLE TRIGGER ALL",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
            "DELETE FROM audit_events",
            "UPDATE audit_events SET outcome = 'forged'",
            "TRUNCATE audit_events",
            "DROP TABLE audit_events",
        ):
            with engine.connect() as connection, pytest.raises(DBAPIError, match=r"must be owner|permission denied"):
                connection.execute(text(statement))
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(AuditEvent)) == count > 0
            assert connection.scalar(text("SELECT current_user")) == role
    finally:
        app.extensions["screening.engine"].dispose()


def test_grant_app_role_explains_what_it_cannot_do(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_ENV", "testing")
    monkeypatch.setenv("SCREENING_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SCREENING_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    result = CliRunner().invoke(main, ["grant-app-role", "screening_app"])
    assert result.exit_code == 2 and "only on PostgreSQL" in result.stderr
    monkeypatch.setenv("SCREENING_DATABASE_URL", postgres_url)
    result = CliRunner().invoke(main, ["grant-app-role", "postgres"])
    assert result.exit_code == 2 and "superuser" in result.stderr
    result = CliRunner().invoke(main, ["grant-app-role", "nobody_by_this_name_zz"])
    assert result.exit_code == 2 and "create it first" in result.stderr


# --- D12: private answers are never cached ----------------------------------------------------


def _principals(app: Flask, content: Content) -> tuple[dict[str, Any], dict[str, str]]:
    """A client (or an API token) for every kind of caller, and a real value for every URL part."""
    api_token = token_for(app, "api-officer")
    created = app.test_client().post(
        "/api/v1/screenings", json=BODY, headers={**auth(api_token), "Idempotency-Key": "cache-key-1"}
    )
    assert created.status_code == 201
    scenario = next(iter(content.scenarios.values()))
    trainer, code = create_session(app, content, [scenario.id])
    trainee = join(app, code, "Arta", "police", "sq")
    callers: dict[str, Any] = {"anonymous": Client(app.test_client()), "trainer": trainer, "trainee": trainee}
    for name, role in (("screener", "screener"), ("supervisor", "supervisor"), ("admin", "admin")):
        callers[name] = Client(app.test_client())
        assert login(callers[name], make_user(app, name, role)).status_code == 302
    callers["api token"] = api_token
    values = {
        "token": created.get_json()["token"],
        "step": "safety",
        "set_id": "general",
        "version": "2026.2",
        "table": "by_month",
        "code": code,
        "scenario_id": scenario.id,
        "locale": "en",
        "filename": "app.css",
        "number": "1",
        "language": "ar",
    }
    return callers, values


def _get_routes(app: Flask, values: dict[str, str]) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET route of the app, with real values in its URL parts."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give this test a value for {missing}"
        path = rule.rule
        for argument in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", values[argument], path)
        routes.append((rule.endpoint, path))
    assert len(routes) >= 30
    return routes


def test_every_answer_to_a_signed_in_caller_is_not_stored_by_any_cache(app: Flask, content: Content) -> None:
    callers, values = _principals(app, content)
    private = ("/admin", "/training", "/account", "/api/v1/screenings")
    failures = []
    for endpoint, path in _get_routes(app, values):
        for name, caller in callers.items():
            api = name == "api token"
            response = app.test_client().get(path, headers=auth(caller)) if api else caller.get(path)
            response.close()  # a static file is streamed from disk
            cache = response.headers.get("Cache-Control", "")
            if endpoint == "static":
                if "no-store" in cache:
                    failures.append(f"{path} as {name}: a static file must stay cacheable")
                continue
            needs_no_store = (
                name != "anonymous" or access_of(app, endpoint) != PUBLIC or path.startswith(private)
            ) or response.mimetype in ("text/csv", "application/pdf")
            if needs_no_store and "no-store" not in cache:
                failures.append(f"{path} as {name}: {response.status_code} with Cache-Control {cache!r}")
    assert not failures, "\n".join(failures)


# --- D13: CSV cells, names, join codes --------------------------------------------------------


@pytest.mark.parametrize("text_cell", [FORMULA, "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'])
def test_a_text_cell_that_starts_a_formula_is_written_as_text(text_cell: str) -> None:
    assert spreadsheet_safe(text_cell) == "'" + text_cell


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    assert spreadsheet_safe(-3) == -3 and spreadsheet_safe(2.5) == 2.5 and spreadsheet_safe(None) is None
    assert spreadsheet_safe("Arta") == "Arta" and spreadsheet_safe("<5") == "<5" and spreadsheet_safe("") == ""


def test_the_training_export_never_hands_a_spreadsheet_a_formula(app: Flask, content: Content) -> None:
    scenario = next(iter(content.scenarios.values()))
    trainer = Client(app.test_client())
    login(trainer, make_user(app, "coach", "trainer"))
    trainer.get("/training/")
    made = trainer.post(
        "/training/",
        data={
            "place": '=HYPERLINK("http://evil")',
            "held_on": "2026-11-28",
            "language": "en",
            "scenarios": [scenario.id],
        },
    )
    code = made.headers["Location"].rsplit("/", 1)[1]
    join(app, code, FORMULA, "police", "en")
    join(app, code, "-Milan", "social_worker", "en")
    rows = list(csv.DictReader(io.StringIO(trainer.get(f"/training/{code}.csv").get_data(as_text=True))))
    people = [row for row in rows if row["row"] == "trainee" and row["phase"] == ""]
    assert [row["name"] for row in people] == ["'" + FORMULA, "'-Milan"]
    assert {row["place"] for row in rows} == {'\'=HYPERLINK("http://evil")'}
    assert [row["attempts"] for row in people] == ["0", "0"]  # counts stay numbers


def test_only_the_safe_helper_writes_csv() -> None:
    """Every CSV export goes through csv_export (so none forgets the formula guard)."""
    writers = []
    for file in sorted((ROOT / "screening").rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if "csv" in names or (isinstance(node, ast.ImportFrom) and node.module == "csv"):
                writers.append(file.relative_to(ROOT).as_posix())
    assert writers == ["screening/web/csv_export.py"]


def test_a_trainee_name_cannot_turn_the_class_view_around(app: Flask, content: Content) -> None:
    trainer, code = create_session(app, content, [next(iter(content.scenarios))])
    join(app, code, "Arta\u202egnp.exe\u2066x\u2069", "police", "en")
    with Session(app.extensions["screening.engine"]) as db:
        assert db.scalars(select(Trainee.display_name)).one() == "Artagnp.exex"
    view = trainer.get(f"/training/{code}").get_data(as_text=True)
    assert "<bdi>Artagnp.exex</bdi>" in view
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", view)


def _training(held_on: dt.date, created_at: dt.datetime) -> TrainingSession:
    return TrainingSession(code="ABCDEF", held_on=held_on, created_at=created_at)


def closes(training: TrainingSession) -> dt.datetime:
    return join_closes_at(training, ZoneInfo("Europe/Belgrade"))


def test_a_join_code_works_until_midnight_in_kosovo_at_the_end_of_the_class_day() -> None:
    day = dt.date(2026, 11, 28)
    created = dt.datetime(2026, 11, 28, 7, 0, tzinfo=dt.UTC)
    assert closes(_training(day, created)) == dt.datetime(2026, 11, 28, 23, 0, tzinfo=dt.UTC)  # CET
    summer = dt.date(2026, 6, 15)
    june = dt.datetime(2026, 6, 15, 7, 0, tzinfo=dt.UTC)
    assert closes(_training(summer, june)) == dt.datetime(2026, 6, 15, 22, 0, tzinfo=dt.UTC)  # CEST
    # created at 00:30 Kosovo time for "yesterday": the class day is the day it was made
    late = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)
    assert closes(_training(day, late)) == dt.datetime(2026, 11, 29, 23, 0, tzinfo=dt.UTC)
    # a class set up in advance stays open through its own day; SQLite gives naive UTC times
    assert closes(_training(dt.date(2026, 12, 3), created.replace(tzinfo=None))) == dt.datetime(
        2026, 12, 3, 23, 0, tzinfo=dt.UTC
    )


def test_the_code_of_a_past_class_no_longer_lets_anyone_join(app: Flask, content: Content) -> None:
    trainer, code = create_session(app, content, [next(iter(content.scenarios))])
    page = trainer.get(f"/training/{code}").get_data(as_text=True)
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=1))).date()
    assert "The code works until midnight (Kosovo time) at the end of" in page
    assert re.search(rf"end of ({today}|{today - dt.timedelta(days=1)}|{today + dt.timedelta(days=1)})", page)
    with Session(app.extensions["screening.engine"]) as db:
        two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        db.execute(update(TrainingSession).values(held_on=two_days_ago.date(), created_at=two_days_ago))
        db.commit()
    late = Client(app.test_client())
    late.get("/join")
    response = late.post("/join", data={"code": code, "display_name": "Late", "profession": "police", "language": "en"})
    assert response.status_code == 400 and "This class has ended" in response.get_data(as_text=True)
    assert late.get("/t/").headers["Location"].endswith("/join")


def _try_code(client: Client, code: str) -> Any:
    client.get("/join")
    return client.post("/join", data={"code": code, "display_name": "X", "profession": "police", "language": "en"})


def test_guessing_join_codes_is_limited_per_address_across_app_servers(
    app: Flask, content: Content, tmp_path: Path
) -> None:
    _trainer, code = create_session(app, content, [next(iter(content.scenarios))])
    second_server = make_app(tmp_path, engine_url(app))  # another app server on the same database
    try:
        classroom = [Client(app.test_client()), Client(second_server.test_client())]
        for attempt in range(JOIN_WRONG_CODES_PER_WINDOW):
            assert _try_code(classroom[attempt % 2], "ZZZZZZ").status_code == 400
            if attempt % 5 == 0:  # right codes from the same room do not count
                assert _try_code(classroom[1 - attempt % 2], code).status_code == 302
        for client in (*classroom, Client(second_server.test_client())):
            refused = _try_code(client, code)
            assert refused.status_code == 429
            assert "Too many wrong codes from this network. Wait 10 minutes" in refused.get_data(as_text=True)
        elsewhere = Client(app.test_client())
        elsewhere.client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        assert _try_code(elsewhere, code).status_code == 302
    finally:
        second_server.extensions["screening.engine"].dispose()
    with Session(app.extensions["screening.engine"]) as db:
        stored = " ".join(str(row) for row in db.execute(text("SELECT * FROM join_addresses")).all())
    assert "127.0.0.1" not in stored and "192.0.2.7" not in stored  # only keyed hashes


# --- D16: purge -------------------------------------------------------------------------------


def test_purge_refuses_zero_and_negative_days(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("SCREENING_ENV", "testing")
    assert CliRunner().invoke(main, ["init-db"]).exit_code == 0
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'cli.sqlite'}")
    created = app.test_client().post(
        "/api/v1/screenings", json=BODY, headers={**auth(token_for(app)), "Idempotency-Key": "today-key-1"}
    )
    assert created.status_code == 201
    for days in ("0", "-1"):
        result = CliRunner().invoke(main, ["purge", "--older-than-days", days])
        assert result.exit_code == 2 and "x>=1" in result.stderr and "Erased" not in result.stdout
    with Session(app.extensions["screening.engine"]) as db:
        assert db.scalars(select(Screening.erased_at)).one() is None  # today's screening is untouched
    app.extensions["screening.engine"].dispose()

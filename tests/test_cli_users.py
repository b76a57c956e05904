"""The users and purge commands, and clear start-up errors from the web commands."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite"
    monkeypatch.setenv("SCREENING_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("SCREENING_ENV", "testing")
    assert CliRunner().invoke(main, ["init-db"]).exit_code == 0
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_users_create_list_disable_unlock_and_reset(database: Path) -> None:
    code, out, _ = run("users", "create", "Nurse.Arta", "--role", "screener", "--institution", "health")
    assert code == 0
    first = re.search(r"One-time password: (\S+)", out)
    assert first and "Created nurse.arta (screener)" in out
    code, out, _ = run("users", "list")
    assert "nurse.arta" in out and "health" in out and "active" in out
    assert run("users", "unlock", "nurse.arta")[0] == 0
    code, out, _ = run("users", "reset-password", "nurse.arta")
    second = re.search(r"New one-time password for nurse.arta: (\S+)", out)
    assert code == 0 and second and second.group(1) != first.group(1)
    assert run("users", "disable", "nurse.arta")[0] == 0
    assert "disabled" in run("users", "list")[1]


def test_users_create_refuses_bad_input_with_exit_2(database: Path) -> None:
    code, _, err = run("users", "create", "x", "--role", "screener", "--institution", "police")
    assert code == 2 and "bad username" in err
    code, _, err = run("users", "create", "someone", "--role", "screener", "--institution", "mars")
    assert code == 2 and "institutions: police" in err
    code, _, err = run("users", "disable", "nobody")
    assert code == 2 and "no user 'nobody'" in err


def test_users_tokens_lists_and_revoke_token_revokes(database: Path) -> None:
    """Review D5: there was no command to list or revoke a user's API tokens."""
    from screening.app import create_app

    run("users", "create", "device.one", "--role", "screener", "--institution", "police")
    run("users", "create", "other", "--role", "screener", "--institution", "police")
    assert run("users", "tokens", "device.one")[1] == "device.one has no API tokens.\n"
    first, second, third = (run("users", "token", "device.one")[1].strip() for _ in range(3))
    api = create_app().test_client()
    body = {"set": "general", "age": 30, "sex": "female", "locale": "en", "answers": {}}
    assert api.post("/api/v1/score", json=body, headers={"Authorization": f"Bearer {first}"}).status_code == 200

    code, out, _ = run("users", "tokens", "device.one")
    rows = out.splitlines()[1:]
    assert code == 0 and len(rows) == 3 and "last used" in out.splitlines()[0]
    assert [row.split()[1] for row in rows] == [first[:7], second[:7], third[:7]]
    assert "never" not in rows[0] and "never" in rows[1] and rows[0].endswith("no")
    ids = [row.split()[0] for row in rows]

    code, _, err = run("users", "revoke-token", "other", ids[1])  # not this user's token
    assert code == 2 and f"other has no API token {ids[1]}" in err
    assert run("users", "revoke-token", "device.one")[0] == 2  # neither an id nor --all
    code, out, _ = run("users", "revoke-token", "device.one", ids[1])
    assert code == 0 and f"Revoked API token {ids[1]} of device.one." in out
    assert "already revoked" in run("users", "revoke-token", "device.one", ids[1])[1]
    assert not run("users", "tokens", "device.one")[1].splitlines()[2].endswith("no")
    assert run("users", "revoke-token", "device.one", "--all")[1] == "Revoked 2 API token(s) of device.one.\n"
    assert api.post("/api/v1/score", json=body, headers={"Authorization": f"Bearer {first}"}).status_code == 401


def test_reset_password_and_disable_revoke_api_tokens(database: Path) -> None:
    """Review D5: after reset-password the token still answered 200."""
    from screening.app import create_app

    run("users", "create", "nurse.arta", "--role", "screener", "--institution", "health")
    api = create_app().test_client()
    body = {"set": "general", "age": 30, "sex": "female", "locale": "en", "answers": {}}
    for command in ("reset-password", "disable"):
        token = run("users", "token", "nurse.arta")[1].strip()
        assert api.post("/api/v1/score", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert run("users", command, "nurse.arta")[0] == 0
        assert api.post("/api/v1/score", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "revoke" in run("users", "reset-password", "--help")[1] and "revoke" in run("users", "disable", "--help")[1]


def test_purge_is_idempotent(database: Path) -> None:
    assert run("purge")[1].startswith("Erased 0 screening(s) older than 90 days")
    assert run("purge", "--older-than-days", "1")[0] == 0


def test_invalid_content_or_missing_catalog_stop_the_app_with_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    tree = tmp_path / "content"
    for folder in ("indicators", "referral_rules"):
        shutil.copytree(ROOT / folder, tree / folder)
    (tree / "indicators/general/2026.1.yaml").write_text("id: general\nversion: [\n")
    monkeypatch.setenv("SCREENING_CONTENT_DIR", str(tree))
    code, out, err = run("init-db")
    assert code == 1 and "indicators/general/2026.1.yaml" in err and "Traceback" not in out + err
    monkeypatch.delenv("SCREENING_CONTENT_DIR")
    monkeypatch.setenv("SCREENING_TRANSLATIONS_DIR", str(tmp_path / "nowhere"))
    code, out, err = run("init-db")
    assert code == 1 and "missing compiled translation catalog" in err and "Traceback" not in out + err

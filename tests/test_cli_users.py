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

"""Settings fail loudly: unknown keys, unsafe production settings, a wrong database URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.app import create_app
from screening.db import DatabaseError
from screening.settings import SettingsError, load_settings


def test_a_misspelt_environment_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"unknown setting.*databse_url"):
        load_settings(tmp_path, environ={"SCREENING_DATABSE_URL": "sqlite://"})


def test_the_instance_file_is_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text('env = "testing"\npdf_enabled = false\n')
    settings = load_settings(tmp_path, environ={})
    assert settings.env == "testing" and settings.pdf_enabled is False
    (tmp_path / "settings.toml").write_text('colour = "red"\n')
    with pytest.raises(SettingsError, match="colour"):
        load_settings(tmp_path, environ={})


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown time zone"):
        load_settings(tmp_path, environ={"SCREENING_TIMEZONE": "Mars/Olympus"})


def test_production_requires_a_real_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="required in production"):
        load_settings(tmp_path, environ={"SCREENING_ENV": "production"})
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings(tmp_path, environ={"SCREENING_ENV": "production", "SCREENING_SECRET_KEY": "dev"})


def test_development_keeps_a_random_key_in_the_instance_folder(tmp_path: Path) -> None:
    first = load_settings(tmp_path, environ={})
    second = load_settings(tmp_path, environ={})
    assert first.secret_key == second.secret_key and len(first.secret_key or "") >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_wrong_database_url_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="invalid database URL"):
        create_app({"env": "testing", "database_url": "nonsense://x"}, instance_path=str(tmp_path))


def test_the_cli_reports_an_unreachable_database_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.cli import main

    monkeypatch.setenv("SCREENING_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init-db"])
    assert result.exit_code == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.output

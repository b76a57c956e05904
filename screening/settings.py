"""Typed settings: defaults, then ``instance/settings.toml``, then ``SCREENING_*`` variables.

An unknown key anywhere is an error, so a misspelt setting fails loudly instead of being ignored.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENVIRONMENTS = ("development", "testing", "production")
ENV_PREFIX = "SCREENING_"


class SettingsError(Exception):
    """A setting is unknown, malformed, or unsafe for the environment."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str | None = None
    database_url: str | None = None  # default: SQLite in the instance folder
    content_dir: str | None = None  # default: the repository's own indicators/ and referral_rules/
    translations_dir: str | None = None  # default: the repository's translations/
    pdf_enabled: bool = True
    timezone: str = "Europe/Belgrade"  # Kosovo's time zone in the tz database (CET/CEST)
    session_idle_minutes: int = 15  # shared tablets: log out after this long without a request
    session_absolute_hours: int = 12  # a login lasts at most this long, however active
    lockout_minutes: int = 30  # how long an account stays locked after repeated failed logins
    login_failures_per_address: int = 30  # failed logins from one network address per 15 minutes
    retention_days: int = 90  # after this, a screening's answers, profile and case reference are erased
    small_cell_threshold: int = 5  # counts below this (and above 0) leave the app as "<5"

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def _coerce(key: str, value: Any) -> Any:
    """Environment variables are strings: turn them into the setting's type, or refuse."""
    kind = {f.name: f.type for f in fields(Settings)}[key]
    if kind == "bool" and isinstance(value, str):
        if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
            raise SettingsError(f"{key} must be true or false, found {value!r}")
        return value.lower() in ("1", "true", "yes")
    if kind == "int":
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SettingsError(f"{key} must be a whole number, found {value!r}") from None
        if number < 1 or isinstance(value, bool):
            raise SettingsError(f"{key} must be at least 1, found {value!r}")
        return number
    return value


def _merge(settings: Settings, values: Mapping[str, Any], origin: str) -> Settings:
    unknown = sorted(set(values) - set(Settings.keys()))
    if unknown:
        raise SettingsError(
            f"unknown setting(s) in {origin}: {', '.join(unknown)} (known: {', '.join(Settings.keys())})"
        )
    return replace(settings, **{k: _coerce(k, v) for k, v in values.items()})


def load_settings(
    instance_path: Path, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    settings = Settings()
    file = instance_path / "settings.toml"
    if file.is_file():
        try:
            settings = _merge(settings, tomllib.loads(file.read_text(encoding="utf-8")), str(file))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{file} is not valid TOML: {exc}") from exc
    environ = os.environ if environ is None else environ
    from_env = {k[len(ENV_PREFIX) :].lower(): v for k, v in environ.items() if k.startswith(ENV_PREFIX)}
    settings = _merge(settings, from_env, "the environment")
    settings = _merge(settings, overrides or {}, "create_app(settings=...)")
    if settings.env not in ENVIRONMENTS:
        raise SettingsError(f"env must be one of {', '.join(ENVIRONMENTS)}, found {settings.env!r}")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"unknown time zone {settings.timezone!r} (e.g. Europe/Belgrade)") from exc
    return _with_secret(settings, instance_path)


def _with_secret(settings: Settings, instance_path: Path) -> Settings:
    """Production needs a real key; development keeps a random one in the instance folder."""
    if settings.secret_key:
        if settings.env == "production" and len(settings.secret_key) < 32:
            raise SettingsError("SCREENING_SECRET_KEY must be at least 32 characters in production")
        return settings
    if settings.env == "production":
        raise SettingsError("SCREENING_SECRET_KEY is required in production")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        key_file.chmod(0o600)
    return replace(settings, secret_key=key_file.read_text(encoding="utf-8").strip())

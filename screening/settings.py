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
from urllib.parse import urlsplit
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
    #: Lay the slip's PDF out in the background when the result page or the print view is shown,
    #: so that "Download PDF" finds it ready (one thread per worker; off: laid out on download).
    slip_render_ahead: bool = True
    timezone: str = "Europe/Belgrade"  # Kosovo's time zone in the tz database (CET/CEST)
    session_idle_minutes: int = 15  # shared tablets: log out after this long without a request
    session_absolute_hours: int = 12  # a login lasts at most this long, however active
    lockout_minutes: int = 30  # how long an account stays locked after repeated failed logins
    login_failures_per_address: int = 30  # failed logins from one network address per 15 minutes
    retention_days: int = 90  # after this, a screening's answers, profile and case reference are erased
    small_cell_threshold: int = 5  # counts below this (and above 0) leave the app as "<5"
    #: The referral slip's letterhead: the deploying institution's name, one string or a table by
    #: content language (``{sq = "...", sr_Latn = "...", en = "..."}``; sr_Cyrl is transliterated
    #: from sr_Latn). Unset: the referring officer's institution heads the slip.
    slip_institution_name: str | dict[str, str] | None = None
    #: An optional logo for that letterhead: a PNG, JPEG or SVG file of at most 1 MB, its path
    #: absolute or relative to the instance folder. It is embedded in the slip (print view and PDF).
    slip_logo_path: str | None = None
    #: The address other devices reach the app at, e.g. http://192.168.1.20:5000 (scheme, host and
    #: port only): the training join link and its QR code use it. Default: the address of the request.
    public_url: str | None = None
    #: The largest request body accepted (form posts and API bodies), in bytes: a larger one gets 413.
    max_request_bytes: int = 1_000_000
    #: How many reverse proxies stand in front of the app and set X-Forwarded-For and
    #: X-Forwarded-Proto (0: none; the headers are then ignored, since any client could send them).
    #: Behind a proxy the per-address login limit needs the client's address, not the proxy's.
    trusted_proxies: int = 0

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


#: Whole-number settings for which 0 means "none".
MAY_BE_ZERO = frozenset({"trusted_proxies"})


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
        least = 0 if key in MAY_BE_ZERO else 1
        if number < least or isinstance(value, bool):
            raise SettingsError(f"{key} must be at least {least}, found {value!r}")
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
    _check_public_url(settings.public_url)
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"unknown time zone {settings.timezone!r} (e.g. Europe/Belgrade)") from exc
    _check_slip_letterhead(settings, instance_path)
    return _with_secret(settings, instance_path)


SLIP_NAME_LANGUAGES = ("sq", "sr_Latn", "en")
SLIP_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
SLIP_LOGO_MAX_BYTES = 1_000_000


def slip_logo_file(settings: Settings, instance_path: Path) -> Path | None:
    """The letterhead logo's file, resolved against the instance folder, or None."""
    if not settings.slip_logo_path:
        return None
    path = Path(settings.slip_logo_path)
    return path if path.is_absolute() else instance_path / path


def _check_slip_letterhead(settings: Settings, instance_path: Path) -> None:
    name = settings.slip_institution_name
    if isinstance(name, dict):
        if set(name) != set(SLIP_NAME_LANGUAGES) or not all(isinstance(v, str) and v.strip() for v in name.values()):
            raise SettingsError(
                f"slip_institution_name must be one string or a table with exactly {', '.join(SLIP_NAME_LANGUAGES)}"
            )
    elif name is not None and not (isinstance(name, str) and name.strip()):
        raise SettingsError("slip_institution_name must be a non-empty string or a table by language")
    logo = slip_logo_file(settings, instance_path)
    if logo is None:
        return
    if logo.suffix.lower() not in SLIP_LOGO_TYPES:
        raise SettingsError(f"slip_logo_path must be a {', '.join(SLIP_LOGO_TYPES)} file, found {logo.name!r}")
    if not logo.is_file():
        raise SettingsError(f"slip_logo_path: no file at {logo}")
    if logo.stat().st_size > SLIP_LOGO_MAX_BYTES:
        raise SettingsError(f"slip_logo_path: {logo.name} is larger than 1 MB")


def _check_public_url(url: str | None) -> None:
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise SettingsError(
            f"public_url must be a scheme, host and port only, e.g. http://192.168.1.20:5000, found {url!r}"
        )
    if parts.query or parts.fragment or parts.username:
        raise SettingsError(f"public_url must be a scheme, host and port only, found {url!r}")


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

"""The application factory."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from screening import db, i18n
from screening.core.errors import ContentError
from screening.core.loading import load_content
from screening.settings import Settings, SettingsError, load_settings

#: What stops the app from starting: each carries a message for the person deploying it.
STARTUP_ERRORS = (ContentError, SettingsError, i18n.CatalogError, db.DatabaseError)
#: gunicorn's exit status for "App failed to load": its master then stops. With any other status
#: (1 included) it boots a new worker, which fails again, forever.
GUNICORN_APP_LOAD_ERROR = 4


def create_app(settings: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the app. Refuses to start on invalid content, settings, catalogs or database URL.

    Raises one of ``STARTUP_ERRORS``, whose message names each problem (``file:line`` for
    content). Under gunicorn, which would print it inside two tracebacks and exit 3, the message
    alone goes to stderr and the process exits with gunicorn's "App failed to load" status.
    """
    try:
        return _build_app(settings, instance_path)
    except STARTUP_ERRORS as exc:
        if not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):  # set by gunicorn's master
            raise
        print(startup_message(exc), file=sys.stderr, flush=True)
        raise SystemExit(GUNICORN_APP_LOAD_ERROR) from None


def startup_message(exc: Exception) -> str:
    """What to print when the app refuses to start."""
    return exc.report() if isinstance(exc, ContentError) else f"Error: {exc}"


def _build_app(settings: Mapping[str, Any] | None, instance_path: str | None) -> Flask:
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    config: Settings = load_settings(instance, settings)
    if config.env == "production" and app.debug:
        raise SettingsError("debug mode must be off in production (unset FLASK_DEBUG)")
    app.config.update(
        SECRET_KEY=config.secret_key,
        SCREENING_SETTINGS=config,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.env == "production",
        WTF_CSRF_TIME_LIMIT=None,  # a screening may take long; the session still binds the token
        WTF_I18N_ENABLED=False,  # forms.Form translates WTForms' messages from the app's own catalogs
        TESTING=config.env == "testing",
    )
    # Content is loaded and validated once, here; no request parses YAML.
    app.extensions["screening.content"] = load_content(Path(config.content_dir) if config.content_dir else None)
    app.config["BABEL_DEFAULT_TIMEZONE"] = config.timezone
    i18n.init_app(app, Path(config.translations_dir) if config.translations_dir else None)
    engine = db.make_engine(config.database_url or f"sqlite:///{instance / 'screening.sqlite'}")
    db.init_app(app, engine)
    from screening.web import guard  # before CSRFProtect: hostile input is refused first

    guard.init_app(app)
    csrf = CSRFProtect(app)

    from screening.web import (
        access,
        admin,
        api,
        auth,
        content,
        errors,
        fragments,
        ops,
        paper,
        person,
        sheets,
        static_files,
        training,
        views,
    )
    from screening.web.templating import init_templating

    for blueprint in (
        auth.bp, views.bp, person.bp, sheets.bp, content.bp, paper.bp, admin.bp, training.bp, ops.bp, api.bp,
    ):  # fmt: skip
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # the API authenticates each request with a bearer token, not a cookie
    access.init_app(app)
    errors.init_app(app)
    fragments.init_app(app)
    init_templating(app)
    static_files.init_app(app)
    if config.trusted_proxies:
        # The client's address and scheme as the proxies in front saw them (the per-address login
        # limit, secure cookies and HSTS need them); only that many hops of the headers are believed.
        hops = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app

"""Who may use which route. Every endpoint declares it; an undeclared one is refused (fail closed).

``@public`` for pages anyone may open, ``@requires(role, ...)`` for the rest. A test walks the
URL map and fails on any endpoint that declares neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for

from screening import accounts
from screening.db import get_session
from screening.web.api_errors import api_error

PUBLIC = "public"
View = TypeVar("View", bound=Callable[..., Any])
#: Endpoints Flask itself adds.
BUILTIN_PUBLIC = frozenset({"static"})


#: Control characters (C0 and DEL) and backslashes: browsers and URL parsers drop or reinterpret them,
#: so that ``/<TAB>/evil.com`` or ``/\evil.com`` would leave the site.
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a path on this site (``/...``, not ``//...``), else None.

    Nothing is stripped: a value that would need cleaning is refused, because the cleaned value
    is not what the link's author wrote.
    """
    if not value or not value.startswith("/") or _UNSAFE_IN_NEXT.search(value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return value


def public(view: View) -> View:
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def requires(*roles: str) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.access = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


TOKEN = "token"


def api_token(*roles: str) -> Callable[[View], View]:
    """An API route: a bearer token of a user with one of ``roles`` (no session, no CSRF)."""

    def mark(view: View) -> View:
        view.access = (TOKEN, frozenset(roles))  # type: ignore[attr-defined]
        return view

    return mark


def _enforce_token(roles: frozenset[str]) -> Any:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    user = accounts.user_for_token(get_session(), token) if token else None
    if user is None:
        return api_error(401, "unauthorized", "Send a valid API token: Authorization: Bearer <token>.")
    if user.role not in roles:
        return api_error(403, "forbidden", "This token's user may not use this endpoint.")
    g.user = user
    return None


def access_of(app: Flask, endpoint: str) -> object:
    if endpoint in BUILTIN_PUBLIC:
        return PUBLIC
    return getattr(app.view_functions[endpoint], "access", None)


#: The login page's ``expired`` parameter for each reason a session ends by itself.
EXPIRED = {"idle": "1", "lifetime": "lifetime"}


def _load_user() -> None:
    g.user = None
    session_id = session.get("sid")
    if not session_id:
        return
    settings = current_app.config["SCREENING_SETTINGS"]
    user, ended = accounts.resume_session(
        get_session(),
        session_id,
        idle_minutes=settings.session_idle_minutes,
        absolute_hours=settings.session_absolute_hours,
    )
    if user is None:
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale
        g.session_ended = ended
    g.user = user


def enforce() -> Any:
    if request.endpoint is None:
        return None  # 404 and 405 are answered by the error handlers
    access = access_of(current_app, request.endpoint)
    if isinstance(access, tuple) and access[0] == TOKEN:
        return _enforce_token(access[1])
    _load_user()
    if access == PUBLIC:
        return None
    if access is None:
        abort(403)
    if g.user is None:
        target = url_for("auth.login", next=request.path, expired=EXPIRED.get(g.get("session_ended")))
        return redirect(target)
    if g.user.must_change_password and request.endpoint not in ("auth.change_password", "auth.logout"):
        return redirect(url_for("auth.change_password"))
    if g.user.role not in access:  # type: ignore[operator]
        from screening import audit

        audit.record(get_session(), "access_denied", actor=g.user.username, object_id=request.endpoint)
        abort(403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce)

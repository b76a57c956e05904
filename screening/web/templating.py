"""Template globals and security headers."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

from screening.core.languages import NATIVE_NAMES, UI_LOCALES, direction, html_lang, localise
from screening.i18n import current_locale, page_translator
from screening.roles import ADMIN, ROLES, SCREENER, SUPERVISOR, TRAINER
from screening.web.access import PUBLIC, access_of
from screening.web.forms import NOT_ASKED
from screening.web.vocabulary import ANSWER_LABELS, NOT_ASKED_LABEL, PRIORITY_LABELS

ROLE_LABELS = {
    SCREENER: _l("Screener"),
    SUPERVISOR: _l("Supervisor"),
    TRAINER: _l("Trainer"),
    ADMIN: _l("Administrator"),
}
NAV = {
    SCREENER: [
        ("checklist.start", _l("New screening")),
        ("checklist.screenings", _l("Screenings")),
        ("content.sets", _l("Indicators")),
    ],
    SUPERVISOR: [("admin.statistics_page", _l("Statistics")), ("content.sets", _l("Indicators"))],
    TRAINER: [("training.sessions", _l("Training sessions")), ("content.sets", _l("Indicators"))],
    ADMIN: [
        ("admin.users", _l("Users")),
        ("admin.audit_trail", _l("Audit trail")),
        ("admin.statistics_page", _l("Statistics")),
    ],
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def page_labels() -> dict[str, Any]:
    """The labels every page shows (answers, roles, the menu of each role) in the request's
    language, translated once per language and app rather than on every page."""
    key = str(get_locale())
    cache: dict[str, dict[str, Any]] = current_app.extensions["screening.page_labels"]
    if key not in cache:
        answers = {value: str(label) for value, label in ANSWER_LABELS.items()}
        own = [("auth.full_name", _l("Your name")), ("auth.change_password", _l("Password"))]
        cache[key] = {
            "answer_labels": answers,
            "answer_choices": [*answers.items(), (NOT_ASKED, str(NOT_ASKED_LABEL))],
            "role_labels": {role: str(label) for role, label in ROLE_LABELS.items()},
            "menus": {role: [(link, str(label)) for link, label in [*NAV.get(role, []), *own]] for role in ROLES},
        }
    return cache[key]


def _menus(labels: dict[str, Any], root: str) -> dict[str, list[tuple[str, str]]]:
    """Each role's menu as (address, label), its addresses built once per language and app root:
    five ``link`` calls per page cost more than the rest of the menu."""
    built: dict[str, dict[str, list[tuple[str, str]]]] = labels.setdefault("menu_addresses", {})
    if root not in built:
        built[root] = {role: [(url_for(link), label) for link, label in menu] for role, menu in labels["menus"].items()}
    return built[root]


#: Where the session keeps its signed CSRF token, beside the raw one (Flask-WTF's ``csrf_token``).
SIGNED_CSRF_KEY = "csrf_signed"


def csrf_token() -> str:
    """The forms' CSRF token, signed once per session instead of on every page.

    Flask-WTF signs the session's raw token afresh on each request (a timestamped, HMAC-signed
    payload): a twentieth of a checklist page. With no time limit (``WTF_CSRF_TIME_LIMIT=None``)
    a token signed earlier in the session validates exactly like a new one, so the session keeps
    the signed token with the raw token it was made from; a new raw token (a new login, a cleared
    session) gets a new signature. ``g.csrf_token`` is where Flask-WTF looks first, so its own
    forms use the same token.
    """
    raw = session.get("csrf_token")
    kept = session.get(SIGNED_CSRF_KEY)
    if raw and isinstance(kept, list) and len(kept) == 2 and kept[0] == raw:
        g.csrf_token = kept[1]
        return str(kept[1])
    token = str(generate_csrf())
    session[SIGNED_CSRF_KEY] = [session["csrf_token"], token]
    return token


def init_templating(app: Flask) -> None:
    built: dict[tuple[str, str], str] = {}
    app.extensions["screening.page_labels"] = {}
    # In place of Flask-WTF's, which signs on every page (it sets both the global and a context
    # processor; this app's context processor below runs after it).
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.template_global()
    def link(endpoint: str) -> str:
        """``url_for(endpoint)`` for a page without arguments (the menu's), built once per app root."""
        key = (request.script_root if has_request_context() else "", endpoint)
        if key not in built:
            built[key] = url_for(endpoint)
        return built[key]

    @app.context_processor
    def globals_() -> dict[str, object]:
        locale = current_locale()
        labels, user = page_labels(), g.get("user")
        return {
            "_": page_translator(),  # one catalog lookup per page, not one per string
            "csrf_token": csrf_token,
            "ui_locale": locale,
            "html_lang": html_lang(locale),
            "text_dir": "ltr",
            "direction": direction,
            "ui_locales": [(code, NATIVE_NAMES[code]) for code in UI_LOCALES],
            "tr": lambda text, loc=None: localise(text, loc or locale),
            "answer_labels": labels["answer_labels"],
            "priority_labels": PRIORITY_LABELS,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "role_labels": labels["role_labels"],
            "signed_in": user,
            "nav_links": _menus(labels, request.script_root)[user.role] if user else [],
        }

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if _private(response):
            response.headers["Cache-Control"] = "no-store"
        return response


#: Paths whose every answer is private, whoever asks: a 404 or a redirect to the login page too.
PRIVATE_PATHS = ("/admin", "/training", "/account", "/api/v1/screenings", "/s/", "/t/", "/screenings", "/new")
PRIVATE_TYPES = frozenset({"text/csv", "application/pdf"})


def _private(response: Response) -> bool:
    """No browser, proxy or back button may keep this answer: it is for one person.

    Everything answered to a signed-in user, a trainee or an API token is private, and so is every
    route that needs one of them, every export and every PDF. Only the static files stay cacheable.
    """
    if request.endpoint == "static":
        return False
    if g.get("user") is not None or "trainee" in session or "Authorization" in request.headers:
        return True
    if request.endpoint and (
        request.endpoint.startswith("checklist.") or access_of(current_app, request.endpoint) != PUBLIC
    ):
        return True
    return request.path.startswith(PRIVATE_PATHS) or response.mimetype in PRIVATE_TYPES

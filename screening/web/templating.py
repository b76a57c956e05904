"""Template globals and security headers."""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_babel import lazy_gettext as _l

from screening.core.languages import NATIVE_NAMES, UI_LOCALES, html_lang, localise
from screening.i18n import current_locale
from screening.roles import ADMIN, SCREENER, SUPERVISOR, TRAINER
from screening.web.vocabulary import ANSWER_LABELS, PRIORITY_LABELS

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


def init_templating(app: Flask) -> None:
    @app.context_processor
    def globals_() -> dict[str, object]:
        locale = current_locale()
        return {
            "ui_locale": locale,
            "html_lang": html_lang(locale),
            "text_dir": "ltr",
            "ui_locales": [(code, NATIVE_NAMES[code]) for code in UI_LOCALES],
            "tr": lambda text, loc=None: localise(text, loc or locale),
            "answer_labels": ANSWER_LABELS,
            "priority_labels": PRIORITY_LABELS,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "role_labels": ROLE_LABELS,
            "nav_links": [*NAV.get(g.user.role, []), ("auth.change_password", _l("Password"))] if g.get("user") else [],
        }

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if request.endpoint and request.endpoint.startswith("checklist."):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

"""Template globals and security headers."""

from __future__ import annotations

from flask import Flask, Response, request

from screening.core.languages import NATIVE_NAMES, UI_LOCALES, html_lang, localise
from screening.i18n import current_locale
from screening.web.vocabulary import ANSWER_LABELS, PRIORITY_LABELS

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

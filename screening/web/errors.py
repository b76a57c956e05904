"""Error pages: translated, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The form could not be accepted. Go back, check your answers and send it again."),
    404: _l("This page does not exist, or the screening it belongs to is not available."),
    405: _l("This page cannot be used that way."),
    409: _l("Finish the screening first."),
    413: _l("The page sent more data than the server accepts. Nothing was saved from it; go back and try again."),
}


API_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def refuse(status: int, api_code: str, api_message: str, message: str) -> Any:
    """The app's own error answer: the API's JSON error under /api/, else the translated page."""
    if request.path.startswith("/api/"):
        from screening.web.api import api_error

        return api_error(status, api_code, api_message)
    return render_template("error.html", code=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        message = _l(
            "Your session expired or the form was sent twice from an old page. "
            "Your saved answers are kept: go back and send the page again."
        )
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        description = error.description or error.name
        return refuse(code, API_CODES.get(code, "http_error"), description, MESSAGES.get(code, error.name))

    @app.errorhandler(SQLAlchemyOperationalError)
    def database_unavailable(_error: SQLAlchemyOperationalError) -> Any:
        # The database is down or unreachable: nothing on this page was saved, everything before it was.
        log.error("database unavailable")
        if request.path.startswith("/api/"):
            from screening.web.api import api_error

            response, status = api_error(503, "database_unavailable", "the database is unavailable; try again")
            response.headers["Retry-After"] = "5"
            return response, status
        message = _l(
            "The server cannot reach its database just now. Nothing on this page was saved, but your earlier "
            "pages are kept. Wait a moment and send the page again."
        )
        return render_template("error.html", code=503, message=message, retry=True), 503, {"Retry-After": "5"}

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        # Log the type and place only; request data may hold personal data.
        log.error("unexpected error: %s", type(error).__name__, exc_info=error)
        if request.path.startswith("/api/"):
            from screening.web.api import api_error

            return api_error(500, "internal_error", "unexpected error; nothing was stored")
        message = _l("Something went wrong on our side. Your saved answers are kept; try again.")
        return render_template("error.html", code=500, message=message), InternalServerError.code

"""The JSON API's error answer, in a module of its own so that access control and the error
handlers can use it without importing the API's routes (and the routes theirs)."""

from __future__ import annotations

from flask import Response, jsonify


def api_error(status: int, code: str, message: str) -> tuple[Response, int]:
    """``{"error": {"code": ..., "message": ...}}`` with ``status``; ``code`` is stable for clients."""
    return jsonify({"error": {"code": code, "message": message}}), status

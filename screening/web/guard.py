"""Refuse hostile request input before any view, the CSRF check or the database sees it.

A request is answered 400 (the translated error page, or the API's JSON error under ``/api/``) when

- its path, a query argument's name or value, a form field's name, a header the app reads
  (``Authorization``, ``Idempotency-Key``), a JSON key or an uploaded file's name holds a control
  character (C0, including TAB, CR and LF, or DEL), or a lone surrogate (JSON ``"\\ud800"``);
- a form or JSON value holds a control character other than TAB. Line breaks are accepted only in
  the form fields named in ``MULTILINE_FIELDS``: the app has no free-text area today, so none;
- a multipart part has no name (WTForms would meet a ``None`` field name);
- its JSON is nested deeper than ``MAX_JSON_DEPTH`` (Python's parser ends in RecursionError at
  about 1,000 levels; nothing the API takes is deeper than 3).

PostgreSQL refuses NUL in text, a CR/LF in ``next`` would end up in a header, and no name, path
or argument the app uses has a reason to hold any of these. Bodies over the ``max_request_bytes``
setting are refused with 413 by Werkzeug (``MAX_CONTENT_LENGTH``), set here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from screening.web.errors import refuse

#: Anything below a space, and DEL, plus lone surrogates: never in names, paths, arguments or keys.
CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
#: The same, except TAB: a pasted value may hold one.
CONTROL_IN_VALUE = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
#: The same, except TAB, LF and CR: for a free-text area's body.
CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: Form fields whose value is free text over several lines (a <textarea>). None today.
MULTILINE_FIELDS: frozenset[str] = frozenset()
#: Headers the app reads; the others never reach a view or the database.
CHECKED_HEADERS = ("Authorization", "Idempotency-Key")
MAX_JSON_DEPTH = 32

MESSAGE = _l(
    "The page sent something that cannot be accepted, such as invisible control characters. "
    "Nothing was saved from it. Go back, check what you typed and send the page again."
)


class HostileInput(Exception):
    """A request part the guard refuses; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _control(where: str) -> HostileInput:
    return HostileInput("invalid_characters", f"control characters are not accepted in {where}")


def _check_form() -> None:
    form, files = request.form, request.files
    names = [*form.keys(), *files.keys()]
    if None in names:
        raise HostileInput("invalid_form", "every form part needs a name")
    if any(CONTROL.search(name) for name in names):
        raise _control("form field names")
    if any(upload.filename and CONTROL.search(upload.filename) for _name, upload in files.items(multi=True)):
        raise _control("file names")
    for name, values in form.lists():
        allowed = CONTROL_IN_TEXT if name in MULTILINE_FIELDS else CONTROL_IN_VALUE
        if any(allowed.search(value) for value in values):
            raise _control("form values")


def _json_items(document: Any) -> Iterator[tuple[int, Any]]:
    """Every value of a JSON document with its depth, without recursion (the document may be deep)."""
    stack = [(1, document)]
    while stack:
        depth, value = stack.pop()
        yield depth, value
        if isinstance(value, dict):
            stack.extend((depth + 1, item) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((depth + 1, item) for item in value)


def _check_json() -> None:
    if not request.is_json:
        return
    try:
        document = request.get_json(silent=True)  # invalid JSON is the view's to answer
    except RecursionError:
        raise HostileInput("json_too_deep", f"JSON may be nested at most {MAX_JSON_DEPTH} levels") from None
    for depth, value in _json_items(document):
        if depth > MAX_JSON_DEPTH:
            raise HostileInput("json_too_deep", f"JSON may be nested at most {MAX_JSON_DEPTH} levels")
        if isinstance(value, dict) and any(CONTROL.search(key) for key in value):
            raise _control("JSON keys")
        if isinstance(value, str) and CONTROL_IN_VALUE.search(value):
            raise _control("JSON values")


def check_request() -> None:
    """Raise HostileInput for the first part of the request the guard refuses."""
    if CONTROL.search(request.path):
        raise _control("the path")
    for name, value in request.args.items(multi=True):
        if CONTROL.search(name) or CONTROL.search(value):
            raise _control("query parameters")
    for header in CHECKED_HEADERS:
        if CONTROL.search(request.headers.get(header, "")):
            raise _control(f"the {header} header")
    _check_form()
    _check_json()


def guard() -> Any:
    try:
        check_request()
    except HostileInput as refused:
        return refuse(400, refused.code, str(refused), MESSAGE)
    return None


def init_app(app: Flask) -> None:
    """Register the guard; call before CSRFProtect so hostile input is refused first."""
    limit = app.config["SCREENING_SETTINGS"].max_request_bytes
    app.config.update(MAX_CONTENT_LENGTH=limit, MAX_FORM_MEMORY_SIZE=limit)
    app.before_request(guard)

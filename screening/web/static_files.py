"""Static files under fingerprinted addresses, cached by the tablet for a year.

Every ``url_for("static", filename=...)`` gets ``?v=`` and the start of the file's SHA-256, so a
changed file has a new address; a request carrying the current fingerprint is answered with
``Cache-Control: public, max-age=31536000, immutable``, and a tablet on a slow mobile network
fetches the stylesheet and scripts once per release instead of revalidating them on every page.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, has_request_context, request, url_for

#: A year: fingerprinted addresses never change content.
MAX_AGE = 365 * 24 * 3600
FINGERPRINT_LENGTH = 12


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "")

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = fingerprint_of(folder, str(values["filename"]))
            if digest:
                values["v"] = digest

    built: dict[tuple[str, str, str | None], str] = {}
    # In production a worker's files never change under it (a release restarts the workers): each
    # address is built once. While developing (debug or template reloading) a changed file gets its
    # new fingerprint on the next page.
    watch = app.debug or bool(app.config.get("TEMPLATES_AUTO_RELOAD"))

    @app.template_global()
    def static_url(filename: str) -> str:
        """``url_for("static", filename=filename)``, built once per fingerprint (a page links three)."""
        stamp = fingerprint_of(folder, filename) if watch else None
        key = (request.script_root if has_request_context() else "", filename, stamp)
        if key not in built:
            built[key] = url_for("static", filename=filename)
        return built[key]

    @app.after_request
    def cache_fingerprinted(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args.get("v") == fingerprint_of(folder, str(filename)):
            response.cache_control.no_cache = None  # Flask's default for static files: revalidate each time
            response.cache_control.public = True
            response.cache_control.max_age = MAX_AGE
            response.cache_control.immutable = True
        return response


def fingerprint_of(folder: Path, filename: str) -> str | None:
    """The fingerprint of a static file, or None when there is no such file (the link stays plain)."""
    path = folder / filename
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    return _digest(str(path), stamp)


@functools.lru_cache(maxsize=256)
def _digest(path: str, _mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:FINGERPRINT_LENGTH]

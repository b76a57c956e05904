"""The referral slip: its view-model, its HTML (the print view) and its PDF, from one template.

Both the checklist's pages and the JSON API render the slip here, so the form a receiving office
files is the same whichever way it was produced. The slip reads what the screening stored (texts
in every content language), so a slip re-renders with the same content after the content changes.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from babel import Locale
from flask import Flask, current_app, render_template
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from screening import slip_pdfs
from screening.core.languages import localise
from screening.core.model import Content
from screening.db import get_session
from screening.models import Screening, User
from screening.settings import SLIP_LOGO_TYPES, Settings, slip_logo_file
from screening.web.flow import Flow, checklist_flow
from screening.web.pdf import html_to_pdf
from screening.web.presenting import profile_rows, result_view
from screening.web.vocabulary import INSTITUTIONS, ROLES

log = logging.getLogger(__name__)

TEMPLATE = "slip/slip.html"
#: Day, month, year and a 24-hour clock, as Kosovo's official documents write them.
DATE_TIME_PATTERN = "dd.MM.yyyy HH:mm"


def slip_view(
    screening: Screening, locale: str, flow: Flow | None = None, officer_name: str | None = None
) -> dict[str, Any]:
    """Everything the referral slip prints, in ``locale``; call it under ``force_locale(locale)``.

    ``flow`` says where its links lead (a real screening's pages unless given); a training flow's
    slip is marked TRAINING on every page and names the trainee (``officer_name``) as the referring person."""
    flow = flow or checklist_flow(screening.token)
    content: Content = current_app.extensions["screening.content"]
    settings: Settings = current_app.config["SCREENING_SETTINGS"]
    view = result_view(screening, locale)
    result = screening.result or {}
    view.update(
        slip_number=screening.slip_number,
        letterhead=_letterhead(settings, screening, locale),
        logo=_logo(settings),
        completed_at=format_datetime(screening.completed_at, DATE_TIME_PATTERN) if screening.completed_at else "",
        officer=_officer(screening, officer_name),
        training=flow.training,
        scoring_version=screening.scoring_version,
        rules_version=screening.rules_version,
        observed=_observed(result, locale),
        interviewee=_interviewee(result, locale),
        profile=profile_rows(screening.profile or {}, content, locale),
        html_lang=locale.replace("_", "-"),
        back_url=flow.url("result"),
        pdf_url=flow.url("slip_pdf", lang=locale),
    )
    return view


def render_html(
    screening: Screening,
    locale: str,
    *,
    pdf: bool,
    flow: Flow | None = None,
    officer_name: str | None = None,
) -> str:
    """The slip in the recipient's language ``locale``: the print view, or the PDF's source."""
    with force_locale(locale):
        return render_template(TEMPLATE, slip=slip_view(screening, locale, flow, officer_name), pdf=pdf)


class RenderAhead:
    """The slips this worker is laying out in the background, by (screening id, language, digest).

    One thread lays them out, one after another (WeasyPrint is not made for concurrent renders in
    one process), at most ``MAX_PENDING`` waiting: under load the download lays its slip out
    itself, as it would without this."""

    MAX_PENDING = 4

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._pending: dict[tuple[int, str, str], Future[bytes | None]] = {}
        self._lock = threading.Lock()

    def submit(self, key: tuple[int, str, str], job: Callable[[], bytes | None]) -> None:
        with self._lock:
            if key in self._pending or len(self._pending) >= self.MAX_PENDING:
                return
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slip-pdf")
            future = self._executor.submit(job)
            self._pending[key] = future
        future.add_done_callback(lambda _done: self._forget(key))

    def pending(self, key: tuple[int, str, str]) -> bool:
        with self._lock:
            return key in self._pending

    def result(self, key: tuple[int, str, str], timeout: float = 60.0) -> bytes | None:
        """The PDF of a slip being laid out here, once it is done; None if none is (or it failed)."""
        with self._lock:
            future = self._pending.get(key)
        if future is None:
            return None
        try:
            return future.result(timeout)
        except Exception:  # the job logged it; the caller lays the slip out itself
            return None

    def wait(self, timeout: float = 60.0) -> None:
        """Until every slip submitted so far is laid out (tests; a worker's shutdown)."""
        with self._lock:
            futures = list(self._pending.values())
        for future in futures:
            with contextlib.suppress(Exception):
                future.result(timeout)

    def _forget(self, key: tuple[int, str, str]) -> None:
        with self._lock:
            self._pending.pop(key, None)


#: This worker's slips being laid out ahead of their download.
RENDER_AHEAD = RenderAhead()


def render_pdf(screening: Screening, locale: str) -> bytes:
    """The slip as an A4 PDF in ``locale``: laid out once per content and language, then kept in
    the database (``slip_pdfs``) for every worker and app server, until the screening is erased.

    A slip this worker is still laying out ahead (:func:`render_ahead`) is awaited, not laid out twice.
    """
    html = render_html(screening, locale, pdf=True)
    key = (screening.id, locale, _digest(html))
    pdf = RENDER_AHEAD.result(key) or slip_pdfs.cached(get_session(), *key)
    if pdf is None:
        pdf = pdf_bytes(html)
        _keep(current_app._get_current_object(), key, pdf)  # type: ignore[attr-defined]
    return pdf


def render_ahead(screening: Screening, locale: str) -> None:
    """Start laying out the slip in ``locale`` in the background, unless it is laid out already.

    Called when the result page is shown: while the officer reads it, the PDF is made, so that
    "Download PDF" finds it ready (setting ``slip_render_ahead``)."""
    if _renders_ahead(screening):
        _lay_out_ahead(screening, locale, render_html(screening, locale, pdf=True))


def print_view(screening: Screening, locale: str) -> str:
    """The slip's print view in ``locale``; its PDF is laid out ahead from the same content."""
    with force_locale(locale):
        view = slip_view(screening, locale)
        html = render_template(TEMPLATE, slip=view, pdf=False)
        if _renders_ahead(screening):
            _lay_out_ahead(screening, locale, render_template(TEMPLATE, slip=view, pdf=True))
    return html


def _renders_ahead(screening: Screening) -> bool:
    settings: Settings = current_app.config["SCREENING_SETTINGS"]
    return settings.pdf_enabled and settings.slip_render_ahead and screening.completed


def _lay_out_ahead(screening: Screening, locale: str, html: str) -> None:
    key = (screening.id, locale, _digest(html))
    if RENDER_AHEAD.pending(key) or slip_pdfs.is_cached(get_session(), *key):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    RENDER_AHEAD.submit(key, functools.partial(_lay_out_and_keep, app, html, key))


def _lay_out_and_keep(app: Flask, html: str, key: tuple[int, str, str]) -> bytes | None:
    """The background job: lay the slip out and keep it. Logs no content, only what failed."""
    try:
        with app.app_context():
            pdf = pdf_bytes(html)
            _keep(app, key, pdf)
            return pdf
    except Exception as exc:
        log.warning("slip PDF not laid out ahead: %s", type(exc).__name__)
        raise


def _keep(app: Flask, key: tuple[int, str, str], pdf: bytes) -> None:
    """Store the PDF on a session of its own, so that the request's transaction is left alone."""
    with app.extensions["screening.sessionmaker"]() as db:
        slip_pdfs.store(db, *key, pdf)


def _digest(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


#: The print view's and the PDF's stylesheet.
STYLESHEET = "slip.css"


def pdf_bytes(html: str) -> bytes:
    """The slip's HTML as PDF, with the print stylesheet."""
    return html_to_pdf(html, STYLESHEET)


def _letterhead(settings: Settings, screening: Screening, locale: str) -> str:
    """The deployment's institution (a setting), else the referring officer's institution."""
    name = settings.slip_institution_name
    if isinstance(name, dict):
        return localise(name, locale)
    if name:
        return name
    return str(INSTITUTIONS.get(screening.institution, screening.institution))


def _logo(settings: Settings) -> str | None:
    """The letterhead logo as a ``data:`` URI (the print view's CSP allows data images), or None."""
    logo = slip_logo_file(settings, Path(current_app.instance_path))
    if logo is None or not logo.is_file():
        return None
    return _data_uri(str(logo), logo.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _data_uri(path: str, _mtime_ns: int) -> str:
    mime = SLIP_LOGO_TYPES[Path(path).suffix.lower()]
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def _officer(screening: Screening, name: str | None = None) -> dict[str, Any]:
    """Who referred: the account that started the screening (or ``name``, a trainee's), the role and
    institution it was done in."""
    if name is not None:
        return {**_officer(screening), "name": name, "account_only": False}
    user = get_session().get(User, screening.created_by_id) if screening.created_by_id else None
    return {
        "name": (user.full_name or user.username) if user else "",
        "account_only": not (user and user.full_name),
        "role": str(ROLES.get(screening.role, screening.role)),
        "institution": str(INSTITUTIONS.get(screening.institution, screening.institution)),
    }


def _interviewee(result: dict[str, Any], locale: str) -> dict[str, str] | None:
    """Which language the person was asked in, named in the slip's language, and whether its
    translation had been reviewed by a native speaker when the screening was completed."""
    stored = result.get("interviewee")
    if not stored:
        return None
    code = str(stored.get("language", ""))
    name = str(Locale.parse(locale).languages.get(code, code)).capitalize()
    if stored.get("review_status") == "reviewed_by_native_speaker":
        review = _(
            "translation reviewed by a native speaker (%(by)s, %(on)s)",
            by=stored.get("reviewed_by") or "",
            on=stored.get("reviewed_on") or "",
        )
    else:
        review = _("translation not yet reviewed by a native speaker")
    return {"name": name, "review": review}


def _observed(result: dict[str, Any], locale: str) -> list[dict[str, Any]]:
    """The indicators answered yes, as texts with their dimension's name; never their ids."""
    names = result.get("dimension_names", {})
    positive = {finding["dimension"] for finding in result.get("dimensions", []) if finding.get("positive")}
    return [
        {
            "text": localise(item["text"], locale),
            "dimension": localise(names[item["dimension"]], locale) if item.get("dimension") in names else "",
            "positive": item.get("dimension") in positive,
        }
        for item in result.get("observed", [])
    ]

"""The referral slip: its view-model, its HTML (the print view) and its PDF, from one template.

Both the checklist's pages and the JSON API render the slip here, so the form a receiving office
files is the same whichever way it was produced. The slip reads what the screening stored (texts
in every content language), so a slip re-renders with the same content after the content changes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from babel import Locale
from flask import current_app, render_template
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from screening.core.languages import localise
from screening.core.model import Content
from screening.db import get_session
from screening.models import Screening, User
from screening.settings import SLIP_LOGO_TYPES, Settings, slip_logo_file
from screening.web.flow import Flow, checklist_flow
from screening.web.pdf import html_to_pdf
from screening.web.presenting import profile_rows, result_view
from screening.web.vocabulary import INSTITUTIONS, ROLES

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


class PdfCache:
    """The PDFs this worker made lately, by (screening token, hash of the slip's HTML).

    The HTML holds everything the slip prints in its language, so a repeat download of an
    unchanged slip costs one template render instead of a layout. Entries live ``seconds`` at most
    and at most ``entries`` are kept, so no slip outlives the retention period here; erasing a
    screening drops its entries at once in the worker that erases it (another worker's entry can
    no longer be reached, since the erased screening's HTML differs, and expires with its time).
    """

    def __init__(self, *, entries: int = 32, seconds: float = 600.0) -> None:
        self.entries, self.seconds = entries, seconds
        self._items: OrderedDict[tuple[str, str], tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self._lock:
            self._expire()
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: tuple[str, str], pdf: bytes) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.seconds, pdf)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def forget(self, token: str) -> None:
        """Drop every cached slip of one screening (it is being erased)."""
        with self._lock:
            for key in [k for k in self._items if k[0] == token]:
                del self._items[key]

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, (until, _pdf) in self._items.items() if until <= now]:
            del self._items[key]


#: This worker's cache of slip PDFs.
PDF_CACHE = PdfCache()


def render_pdf(screening: Screening, locale: str) -> bytes:
    """The slip as an A4 PDF in ``locale``; a repeat of an unchanged slip comes from ``PDF_CACHE``."""
    html = render_html(screening, locale, pdf=True)
    key = (screening.token, hashlib.sha256(html.encode("utf-8")).hexdigest())
    pdf = PDF_CACHE.get(key)
    if pdf is None:
        pdf = pdf_bytes(html)
        PDF_CACHE.put(key, pdf)
    return pdf


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

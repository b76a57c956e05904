"""Printable question sheets (issue 15): per set and interviewee language, two columns, the
screener's language beside the person's, from the same interviewee texts as the show-the-person
view. For when the tablet cannot be handed over. HTML (the print view) and PDF (WeasyPrint, with
Debian's Noto fonts for Arabic script: Noto Naskh Arabic, Noto Nastaliq Urdu)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, render_template, url_for

from screening import audit
from screening.core.languages import INTERVIEWEE_NAMES, html_lang, localise
from screening.core.model import Content, IndicatorSet, IntervieweeTexts, Section
from screening.db import get_session
from screening.i18n import current_locale
from screening.roles import SCREENER, TRAINER
from screening.web.access import requires
from screening.web.pdf import html_to_pdf
from screening.web.vocabulary import ANSWER_LABELS

bp = Blueprint("sheets", __name__)

TEMPLATE = "sheets/sheet.html"
STYLESHEET = "sheet.css"
#: The interviewee files name "don't know" ``dont_know``; the interface's labels say ``unknown``.
ANSWER_KEYS = {"yes": "yes", "no": "no", "unknown": "dont_know"}


def _content() -> Content:
    loaded: Content = current_app.extensions["screening.content"]
    return loaded


def _sheet(set_id: str, language: str) -> tuple[IndicatorSet, IntervieweeTexts]:
    indicator_set = _content().get_set(set_id)
    texts = _content().interviewee_texts(indicator_set, language) if indicator_set else None
    if indicator_set is None or texts is None:
        abort(404)
    return indicator_set, texts


def _rows(section: Section, texts: IntervieweeTexts, locale: str) -> list[dict[str, str]]:
    return [
        {"screener": localise(i.text, locale), "person": texts.items[i.id]}
        for i in section.indicators
        if i.mode == "ask" and i.id in texts.items
    ]


def sheet_view(indicator_set: IndicatorSet, texts: IntervieweeTexts, locale: str) -> dict[str, Any]:
    """Everything a question sheet prints: the set's asked questions, then the child module's."""

    def part(sections: tuple[Section, ...]) -> list[dict[str, Any]]:
        rows = [(s, _rows(s, texts, locale)) for s in sections if s.kind == "indicators"]
        return [{"title": localise(s.title, locale), "rows": r} for s, r in rows if r]

    return {
        "set_title": localise(indicator_set.title, locale),
        "version": indicator_set.version,
        "language_name": INTERVIEWEE_NAMES[texts.language],
        "person_lang": html_lang(texts.language),
        "person_dir": texts.direction,
        "html_lang": html_lang(locale),
        "reviewed": texts.reviewed,
        "texts": texts,
        "answers": [(str(ANSWER_LABELS[key]), texts.answers[ANSWER_KEYS[key]]) for key in ANSWER_LABELS],
        "sections": part(indicator_set.sections),
        "child_sections": part(indicator_set.child_sections),
    }


def render_html(set_id: str, language: str, *, pdf: bool) -> str:
    indicator_set, texts = _sheet(set_id, language)
    view = sheet_view(indicator_set, texts, current_locale())
    pdf_url = url_for("sheets.sheet_pdf", set_id=set_id, language=language)
    return render_template(TEMPLATE, sheet=view, pdf=pdf, pdf_url=pdf_url)


def pdf_bytes(html: str) -> bytes:
    return html_to_pdf(html, STYLESHEET)


@bp.get("/sheets/<set_id>/<language>")
@requires(SCREENER, TRAINER)
def sheet(set_id: str, language: str) -> str:
    return render_html(set_id, language, pdf=False)


@bp.get("/sheets/<set_id>/<language>/sheet.pdf")
@requires(SCREENER, TRAINER)
def sheet_pdf(set_id: str, language: str) -> Response:
    if not current_app.config["SCREENING_SETTINGS"].pdf_enabled:
        abort(404)
    pdf = pdf_bytes(render_html(set_id, language, pdf=True))
    audit.record(get_session(), "question_sheet_printed", actor=g.user.username, object_type=None, object_id=None)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="questions-{set_id}-{language}.pdf"'
    return response

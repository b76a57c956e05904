"""Show the person (issue 15): the screener turns the tablet to the person, who reads one question
at a time in their own language and answers with large Yes / No / I don't know buttons.

The answers go through the same save path as the screener's section page (``ops.save_answers``,
the draft claim, CSRF), so they land in the same draft as if the screener had entered them. Every
page works without JavaScript: one question per page, plain forms. The way back to the screener
takes two steps (a small button, then a confirmation in the screener's language), so the person
does not leave the view by accident. The audit trail records that the view was opened, never
what it showed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from screening import audit
from screening import operations as ops
from screening.core.languages import INTERVIEWEE_NAMES, html_lang, is_interviewee_language
from screening.core.model import Indicator, IndicatorSet, IntervieweeTexts
from screening.db import get_session
from screening.models import Screening
from screening.roles import SCREENER
from screening.web import forms
from screening.web.access import requires
from screening.web.views import _child, _load, content

bp = Blueprint("person", __name__)

#: The interviewee files name "don't know" ``dont_know``; the answers store it as ``unknown``.
ANSWER_KEYS = {"yes": "yes", "no": "no", "unknown": "dont_know"}
#: The symbol beside each answer word, so that no answer is told by its colour alone.
ANSWER_SYMBOLS = {"yes": "✓", "no": "✗", "unknown": "?"}


def person_questions(indicator_set: IndicatorSet, step: str, *, child: bool) -> tuple[Indicator, ...]:
    """The questions of a section that are asked of the person (observed items never are)."""
    try:
        section = ops.section(indicator_set, step, child=child)
    except KeyError:
        return ()
    return tuple(i for i in section.indicators if i.mode == "ask")


def _open(token: str, step: str) -> tuple[Screening, IndicatorSet, tuple[Indicator, ...]]:
    """The screening, its set and the section's questions for the person; a completed screening
    redirects to its result, a step without such questions is not found."""
    screening, indicator_set = _load(token)
    if screening.completed:
        abort(redirect(url_for("checklist.result", token=token)))
    if step not in ops.steps(indicator_set, child=_child(screening, indicator_set)):
        abort(404)
    questions = person_questions(indicator_set, step, child=_child(screening, indicator_set))
    if not questions:
        abort(404)
    return screening, indicator_set, questions


def _texts(screening: Screening, indicator_set: IndicatorSet) -> IntervieweeTexts | None:
    return content().interviewee_texts(indicator_set, screening.second_language)


def _open_in_language(token: str, step: str) -> tuple[Screening, tuple[Indicator, ...], IntervieweeTexts]:
    """As ``_open``, with the texts in the person's language; without them, back to the start
    (where the screener chooses the language)."""
    screening, indicator_set, questions = _open(token, step)
    texts = _texts(screening, indicator_set)
    if texts is None:
        abort(redirect(url_for("person.start", token=token, step=step)))
    return screening, questions, texts


def _page(template: str, texts: IntervieweeTexts, **values: Any) -> str:
    return render_template(
        template,
        texts=texts,
        person_lang=html_lang(texts.language),
        person_dir=texts.direction,
        symbols=ANSWER_SYMBOLS,
        answer_keys=ANSWER_KEYS,
        **values,
    )


@bp.route("/s/<token>/person/<step>", methods=["GET", "POST"])
@requires(SCREENER)
def start(token: str, step: str) -> Any:
    """The person's introduction; first, when no interviewee language is chosen, the screener chooses it."""
    screening, indicator_set, _questions = _open(token, step)
    offered = content().interviewee_languages(indicator_set)
    form = forms.PersonLanguageForm()
    form.language.choices = [(code, INTERVIEWEE_NAMES[code]) for code in offered]
    if request.method == "POST":
        if not form.validate():
            return render_template("person/language.html", screening=screening, step=step, form=form), 400
        ops.set_person_language(get_session(), screening, form.language.data)
        return redirect(url_for("person.start", token=token, step=step))
    texts = _texts(screening, indicator_set)
    if texts is None:
        if is_interviewee_language(screening.second_language):
            form.language.data = screening.second_language
        return render_template("person/language.html", screening=screening, step=step, form=form)
    audit.record(
        get_session(), "person_view_opened", actor=g.user.username, object_type="screening", object_id=screening.id
    )
    return _page("person/introduction.html", texts, screening=screening, step=step)


@bp.route("/s/<token>/person/<step>/<int:number>", methods=["GET", "POST"])
@requires(SCREENER)
def question(token: str, step: str, number: int) -> Any:
    """Question ``number`` (from 1) of the section, in the person's language."""
    screening, questions, texts = _open_in_language(token, step)
    if not 1 <= number <= len(questions):
        abort(404)
    item = questions[number - 1]
    form = forms.PersonAnswerForm()
    if request.method == "POST":
        if not form.validate():
            return _question(texts, screening, step, number, questions, form), 400
        if request.form.get("_action") == "back":
            if number == 1:
                return redirect(url_for("person.start", token=token, step=step))
            return redirect(url_for("person.question", token=token, step=step, number=number - 1))
        if form.answer.data:
            saved = ops.save_answers(get_session(), screening, {item.id: form.answer.data}, step)
            if not saved:  # another tab finished the screening: nothing more is asked
                return redirect(url_for("checklist.result", token=token))
        if number == len(questions):
            return redirect(url_for("person.done", token=token, step=step))
        return redirect(url_for("person.question", token=token, step=step, number=number + 1))
    return _question(texts, screening, step, number, questions, form)


def _question(
    texts: IntervieweeTexts,
    screening: Screening,
    step: str,
    number: int,
    questions: tuple[Indicator, ...],
    form: forms.PersonAnswerForm,
) -> str:
    item = questions[number - 1]
    return _page(
        "person/question.html",
        texts,
        screening=screening,
        step=step,
        number=number,
        total=len(questions),
        text=texts.items.get(item.id, ""),
        current=screening.answers.get(item.id),
        form=form,
    )


@bp.get("/s/<token>/person/<step>/done")
@requires(SCREENER)
def done(token: str, step: str) -> Any:
    """After the last question: thank you, give the tablet back."""
    screening, questions, texts = _open_in_language(token, step)
    return _page("person/done.html", texts, screening=screening, step=step, total=len(questions))


@bp.route("/s/<token>/person/<step>/exit", methods=["GET", "POST"])
@requires(SCREENER)
def leave(token: str, step: str) -> Any:
    """The second step back to the screener: a confirmation in the screener's language."""
    screening, _indicator_set = _load(token)
    form = forms.ConfirmForm()
    if request.method == "POST" and form.validate():
        return redirect(url_for("checklist.step", token=token, step=step))
    back = request.values.get("from", "")
    return render_template(
        "person/exit.html", screening=screening, step=step, form=form, back=back if back.isdigit() else ""
    ), 400 if request.method == "POST" else 200

"""The indicator lists, read-only: for trainers (III.1 trainings on the list of indicators) and screeners."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template

from screening.core.languages import INTERVIEWEE_NAMES
from screening.core.model import Content
from screening.roles import ADMIN, SCREENER, SUPERVISOR, TRAINER
from screening.web.access import requires

bp = Blueprint("content", __name__, url_prefix="/indicators")


def _content() -> Content:
    loaded: Content = current_app.extensions["screening.content"]
    return loaded


@bp.get("/")
@requires(SCREENER, SUPERVISOR, TRAINER, ADMIN)
def sets() -> str:
    content = _content()
    rows = [content.sets[(set_id, v)] for set_id in content.set_ids() for v in content.versions(set_id)]
    sheets = [
        (indicator_set, content.interviewee_languages(indicator_set))
        for indicator_set in (content.get_set(set_id) for set_id in content.set_ids())
        if indicator_set is not None and content.interviewee_languages(indicator_set)
    ]
    return render_template(
        "content/sets.html",
        rows=rows,
        defaults=content.defaults,
        sheets=sheets,
        sheet_names=INTERVIEWEE_NAMES,
        can_print=g.user.role in (SCREENER, TRAINER),
    )


@bp.get("/<set_id>/<version>")
@requires(SCREENER, SUPERVISOR, TRAINER, ADMIN)
def indicator_set(set_id: str, version: str) -> str:
    content = _content()
    chosen = content.get_set(set_id, version)
    if chosen is None or version not in content.versions(set_id):
        abort(404)
    scoring = content.scoring_for(chosen)
    paper_forms = chosen.status == "released" and content.default_version(set_id) == version
    return render_template("content/set.html", indicator_set=chosen, scoring=scoring, paper_forms=paper_forms)

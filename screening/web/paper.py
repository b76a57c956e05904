"""Paper from the same source: the paper checklist and the pocket card of each set, the handout and
the answer key of each training scenario, as PDFs in every interface language.

Everything printed comes from the loaded content (``screening.core.paper`` shapes it) and the
interface catalogs; nothing is copied by hand. One stylesheet (``static/paper.css``) and one
template per document; the running header (title and version), the marking and "page x of y" are
@page margin boxes, as on the referral slip. The PDFs hold no personal data, so each is rendered
once per app, document and language and kept (every document of the shipped content fits in the cache).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from screening.core import paper
from screening.core.languages import NATIVE_NAMES, UI_LOCALES, html_lang, localise, normalise_locale
from screening.core.model import Contact, Content, Indicator, IndicatorSet, SafetyCheck, Scenario, Threshold
from screening.i18n import current_locale
from screening.roles import ADMIN, SCREENER, SUPERVISOR, TRAINER
from screening.web.access import requires
from screening.web.pdf import html_to_pdf
from screening.web.vocabulary import (
    AGE_ESTIMATE_LABELS,
    ASYLUM_LABELS,
    NATIONALITIES,
    PRIORITY_LABELS,
    SEXES,
)

bp = Blueprint("paper", __name__, url_prefix="/paper")

#: Who may download what: the field paper for everyone who reads the indicator lists; training
#: material for trainers (a screener may sit the class, so never gets the answer key).
FIELD_ROLES = (SCREENER, SUPERVISOR, TRAINER, ADMIN)
TRAINING_ROLES = (TRAINER,)
STYLESHEET = "paper.css"
CACHE_SIZE = 256
STRENGTH_LABELS = {"strong": _l("strong"), "medium": _l("medium"), "weak": _l("weak")}


def _content() -> Content:
    loaded: Content = current_app.extensions["screening.content"]
    return loaded


def current_sets(content: Content) -> list[IndicatorSet]:
    """The newest released version of every set: the one paper is printed for."""
    sets = (content.get_set(set_id) for set_id in content.set_ids())
    return [s for s in sets if s is not None and s.status == "released"]


def _released_set(set_id: str, version: str) -> IndicatorSet:
    content = _content()
    chosen = content.get_set(set_id, version)
    if chosen is None or chosen.status != "released" or content.default_version(set_id) != version:
        abort(404)
    return chosen


def _scenario(scenario_id: str) -> Scenario:
    scenario = _content().scenarios.get(scenario_id)
    if scenario is None:
        abort(404)
    return scenario


# --- wording ------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (safe inside a <style> element)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The translated "Page x of y" as a CSS ``content`` value with the page counters in it."""
    marker = "\x00"
    worded = _("Page %(page)s of %(pages)s", page=marker + "page" + marker, pages=marker + "pages" + marker)
    parts = []
    for index, piece in enumerate(worded.split(marker)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def threshold_words(threshold: Threshold) -> str:
    """One minimum combination of yes answers, e.g. "1 strong + 1 medium"."""
    parts = []
    if threshold.strong:
        parts.append(ngettext("%(num)d strong", "%(num)d strong", threshold.strong))
    if threshold.medium:
        parts.append(ngettext("%(num)d medium", "%(num)d medium", threshold.medium))
    if threshold.weak:
        parts.append(ngettext("%(num)d weak", "%(num)d weak", threshold.weak))
    if threshold.any:
        parts.append(ngettext("%(num)d yes of any strength", "%(num)d yes of any strength", threshold.any))
    return " + ".join(parts)


def _set_heading(indicator_set: IndicatorSet, locale: str) -> str:
    return _(
        "%(title)s, version %(version)s", title=localise(indicator_set.title, locale), version=indicator_set.version
    )


def _number(contact: Contact) -> str:
    """A contact's number as paper shows it: a number to be confirmed is never shown as confirmed."""
    if paper.phone_confirmed(contact):
        return str(contact.phone)
    if contact.phone:
        return _("%(number)s (to be confirmed)", number=contact.phone)
    return _("to be confirmed")


def _contact_view(contact: Contact, locale: str) -> dict[str, Any]:
    return {
        "name": localise(contact.name, locale),
        "role": localise(contact.role, locale),
        "number": _number(contact),
        "confirmed": paper.phone_confirmed(contact),
        "local": contact.per_municipality,
    }


def _question(
    item: SafetyCheck | Indicator, number: int, content: Content, indicator_set: IndicatorSet, locale: str
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "number": number,
        "text": localise(item.text, locale),
        "guidance": localise(item.guidance, locale),
        "meta": "",
        "urgent": isinstance(item, Indicator) and item.urgent,
    }
    if isinstance(item, Indicator):
        scoring = content.scoring_for(indicator_set)
        meta = [localise(scoring.dimension_names[item.dimension], locale)]
        if item.dimension not in scoring.unscored:
            adult = STRENGTH_LABELS[paper.effective_strength(item, child=False)]
            child = STRENGTH_LABELS[paper.effective_strength(item, child=True)]
            meta += [_("adult: %(strength)s", strength=adult), _("child: %(strength)s", strength=child)]
        view["meta"] = " · ".join(meta)
    return view


# --- view-models --------------------------------------------------------------------------


def _decision_view(content: Content, indicator_set: IndicatorSet, locale: str) -> dict[str, Any]:
    """The last pages: the decision table of the scoring model and the referral rules, in words."""
    scoring = content.scoring_for(indicator_set)
    rules = content.rules_for(indicator_set)
    directory = content.directory.contacts

    def outcome_rows(child: bool) -> list[dict[str, Any]]:
        return [
            {
                "level": rule.level,
                "label": localise(rule.label, locale),
                "when": localise(paper.explanation(rule, child=child), locale),
            }
            for rule in paper.outcomes(scoring, child=child)
        ]

    return {
        "scoring_version": scoring.version,
        "rules_version": rules.version,
        "urgent": [localise(item.text, locale) for item in paper.urgent_items(indicator_set)],
        "urgent_text": localise(scoring.texts["urgent"], locale),
        "speak_alone": localise(scoring.texts["speak_alone"], locale) if "speak_alone" in scoring.texts else "",
        "unknown_age_is_child": scoring.unknown_age_is_child,
        "dimensions": [
            {"name": localise(d.name, locale), "rule": "; ".join(threshold_words(t) for t in d.thresholds)}
            for d in paper.dimension_rules(scoring)
        ],
        "adult": outcome_rows(False),
        "child": outcome_rows(True),
        "referrals": [
            {
                "reason": localise(row.reason, locale),
                "contacts": [
                    {"name": localise(step.contact.name, locale), "priority": str(PRIORITY_LABELS[step.priority])}
                    for step in row.contacts
                ],
            }
            for row in paper.referral_rows(rules, directory)
        ],
        "contacts": [_contact_view(c, locale) for c in paper.named_contacts(rules, directory)],
        "standing_notes": [
            localise(scoring.texts[key], locale)
            for key in ("standing_note_early", "standing_note_absence")
            if key in scoring.texts
        ],
    }


def checklist_view(indicator_set: IndicatorSet, locale: str) -> dict[str, Any]:
    content = _content()
    number = 0
    sections = []
    for group, section_list in (("set", indicator_set.sections), ("child", indicator_set.child_sections)):
        for position, section in enumerate(section_list):
            questions = []
            items: tuple[SafetyCheck | Indicator, ...] = (*section.safety_checks, *section.indicators)
            for item in items:
                number += 1
                questions.append(_question(item, number, content, indicator_set, locale))
            sections.append(
                {
                    "title": localise(section.title, locale),
                    "kind": section.kind,
                    "starts_child_module": group == "child" and position == 0,
                    "questions": questions,
                }
            )
    return {
        "title": localise(indicator_set.title, locale),
        "heading": _set_heading(indicator_set, locale),
        "purpose": localise(indicator_set.purpose, locale),
        "sections": sections,
        "profile": _profile_questions(),
        "decision": _decision_view(content, indicator_set, locale),
    }


def _profile_questions() -> list[dict[str, Any]]:
    """The profile page's questions (the same labels as the tablet's): write-in lines or boxes."""
    return [
        {"label": _("Age in years, if known"), "choices": []},
        {"label": _("If you do not know the exact age, what is your estimate?"), "choices": AGE_ESTIMATE_LABELS},
        {"label": _("Sex"), "choices": SEXES},
        {"label": _("Nationality"), "choices": NATIONALITIES},
        {"label": _("Country of origin, if another country"), "choices": []},
        {"label": _("Asylum seeker"), "choices": ASYLUM_LABELS},
        {"label": _("Language the person speaks"), "choices": []},
        {"label": _("Municipality where the screening takes place"), "choices": []},
        {"label": _("Case reference (optional, no names)"), "choices": []},
    ]


def card_view(indicator_set: IndicatorSet, locale: str) -> dict[str, Any]:
    content = _content()
    scoring = content.scoring_for(indicator_set)
    rules = content.rules_for(indicator_set)
    return {
        "title": localise(indicator_set.title, locale),
        "heading": _set_heading(indicator_set, locale),
        "safety": [
            {"text": localise(c.text, locale), "guidance": localise(c.guidance, locale), "signal": c.signal}
            for c in indicator_set.safety_checks
        ],
        "urgent_text": localise(scoring.texts["urgent"], locale),
        "strongest": [localise(i.text, locale) for i in paper.strongest(indicator_set)],
        "contacts": [_contact_view(c, locale) for c in paper.named_contacts(rules, content.directory.contacts)],
    }


def _scenario_base(scenario: Scenario, locale: str) -> dict[str, Any]:
    content = _content()
    indicator_set = content.get_set(scenario.set_id, scenario.set_version)
    assert indicator_set is not None, "the loader checks a scenario's set"
    return {
        "title": localise(scenario.title, locale),
        "set_heading": _set_heading(indicator_set, locale),
        "heading": _("Training scenario: %(title)s", title=localise(scenario.title, locale)),
        "narrative": localise(scenario.narrative, locale),
    }


def handout_view(scenario: Scenario, locale: str) -> dict[str, Any]:
    return _scenario_base(scenario, locale)


def answer_key_view(scenario: Scenario, locale: str) -> dict[str, Any]:
    content = _content()
    key = paper.answer_key(content, scenario)
    view = _scenario_base(scenario, locale)
    view.update(
        must_find=[localise(item.text, locale) for item in key.must_find],
        may_find=[localise(item.text, locale) for item in key.may_find],
        child=key.child,
        level=key.outcome.level,
        expected_level=scenario.expected_level,
        outcome=localise(key.outcome.label, locale),
        outcome_when=localise(paper.explanation(key.outcome, child=key.child), locale),
        contacts=[
            {
                **_contact_view(contact, locale),
                "priority": str(PRIORITY_LABELS[priority]),
                "reasons": [localise(r, locale) for r in reasons],
            }
            for contact, priority, reasons in key.contacts
        ],
        teaching_notes=localise(scenario.teaching_notes, locale),
    )
    return view


# --- rendering ----------------------------------------------------------------------------

DOCUMENTS: dict[str, tuple[str, Callable[[Any, str], dict[str, Any]]]] = {
    "checklist": ("paper/checklist.html", checklist_view),
    "card": ("paper/card.html", card_view),
    "handout": ("paper/handout.html", handout_view),
    "answer_key": ("paper/answer_key.html", answer_key_view),
}


def render_html(kind: str, subject: IndicatorSet | Scenario, locale: str) -> str:
    """A paper document's HTML (the PDF's source) in ``locale``."""
    template, view = DOCUMENTS[kind]
    with force_locale(locale):
        return render_template(
            template, doc=view(subject, locale), html_lang=html_lang(locale), page_counter=page_counter_css()
        )


def render_pdf(kind: str, subject: IndicatorSet | Scenario, locale: str) -> bytes:
    """A paper document as PDF, rendered once per app, document and language (no personal data)."""
    cache: OrderedDict[tuple[str, str, str], bytes] = current_app.extensions.setdefault(
        "screening.paper_cache", OrderedDict()
    )
    key = (kind, subject.ref if isinstance(subject, IndicatorSet) else subject.id, locale)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    pdf = html_to_pdf(render_html(kind, subject, locale), STYLESHEET)
    cache[key] = pdf
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return pdf


# --- views --------------------------------------------------------------------------------


def _language() -> str:
    return normalise_locale(request.args.get("lang")) or current_locale()


def _pdf_response(kind: str, subject: IndicatorSet | Scenario, filename: str) -> Response:
    if not current_app.config["SCREENING_SETTINGS"].pdf_enabled:
        abort(404)
    locale = _language()
    response = Response(render_pdf(kind, subject, locale), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}-{locale}.pdf"'
    return response


@bp.get("/")
@requires(*FIELD_ROLES)
def index() -> str:
    content = _content()
    trainer = g.user.role in TRAINING_ROLES
    scenarios = sorted(content.scenarios.values(), key=lambda s: (s.set_id, s.id)) if trainer else []
    return render_template(
        "paper/index.html",
        sets=current_sets(content),
        scenarios=scenarios,
        set_titles={s.id: s.title for s in current_sets(content)},
        languages=[(code, NATIVE_NAMES[code]) for code in UI_LOCALES],
        pdf_enabled=current_app.config["SCREENING_SETTINGS"].pdf_enabled,
    )


@bp.get("/<set_id>/<version>/checklist.pdf")
@requires(*FIELD_ROLES)
def checklist(set_id: str, version: str) -> Response:
    indicator_set = _released_set(set_id, version)
    return _pdf_response("checklist", indicator_set, f"checklist-{set_id}-{version}")


@bp.get("/<set_id>/<version>/card.pdf")
@requires(*FIELD_ROLES)
def card(set_id: str, version: str) -> Response:
    indicator_set = _released_set(set_id, version)
    return _pdf_response("card", indicator_set, f"pocket-card-{set_id}-{version}")


@bp.get("/scenarios/<scenario_id>/handout.pdf")
@requires(*TRAINING_ROLES)
def handout(scenario_id: str) -> Response:
    scenario = _scenario(scenario_id)
    return _pdf_response("handout", scenario, f"handout-{scenario_id}")


@bp.get("/scenarios/<scenario_id>/answer-key.pdf")
@requires(*TRAINING_ROLES)
def answer_key(scenario_id: str) -> Response:
    scenario = _scenario(scenario_id)
    return _pdf_response("answer_key", scenario, f"answer-key-{scenario_id}")

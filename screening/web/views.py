"""The checklist pages. Thin: forms in, core and operations do the work, templates out."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from screening import audit
from screening import operations as ops
from screening.core.languages import UI_LOCALES, direction, html_lang, localise, normalise_locale
from screening.core.model import Content, IndicatorSet, IntervieweeTexts
from screening.core.scoring import immediate_danger
from screening.db import get_session
from screening.i18n import current_locale, remember_locale
from screening.models import Screening
from screening.roles import SCREENER
from screening.web import forms
from screening.web import slip as referral_slip
from screening.web.access import public, requires, safe_next
from screening.web.flow import Flow, Store, checklist_flow
from screening.web.fragments import fragments
from screening.web.presenting import danger_advice, emergency_number, result_view
from screening.web.templating import page_labels
from screening.web.vocabulary import ANSWER_LABELS, USUAL_SET

bp = Blueprint("checklist", __name__)

LANG_BUTTON = "_lang"
ACTION_BUTTON = "_action"


def content() -> Content:
    loaded: Content = current_app.extensions["screening.content"]
    return loaded


def _load(token: str) -> tuple[Screening, IndicatorSet]:
    screening = ops.find(get_session(), token)
    # Another institution's screening is answered like a missing one: its existence is not disclosed.
    if screening is None or screening.institution != g.user.institution or screening.erased_at is not None:
        abort(404)
    indicator_set = content().get_set(screening.set_id, screening.set_version)
    if indicator_set is None:
        abort(404)
    return screening, indicator_set


@bp.get("/language/<locale>")
@public
def switch_language(locale: str) -> BaseResponse:
    """Switch language from a page without a form; ``next`` must be a local path."""
    remember_locale(normalise_locale(locale))
    return redirect(safe_next(request.args.get("next")) or url_for("auth.index"))


@bp.route("/new", methods=["GET", "POST"])
@requires(SCREENER)
def start() -> str | BaseResponse:
    usual = USUAL_SET[g.user.institution]
    form = forms.start_form(
        content(), session.get("last_set", usual), request.form if request.method == "POST" else None
    )
    if request.method == "GET":
        form.start_key.data = secrets.token_urlsafe(24)
        form.role.data = session.get("role", form.role.data)
        form.language.data = current_locale()
    if request.method == "POST" and LANG_BUTTON in request.form:
        remember_locale(request.form[LANG_BUTTON])
        return redirect(url_for("checklist.start"))
    if request.method == "POST" and form.validate():
        indicator_set = content().get_set(form.indicator_set.data)
        if indicator_set is None:
            abort(400)
        remember_locale(form.language.data)
        session.update(role=form.role.data, last_set=indicator_set.id)
        screening = ops.create_draft(
            get_session(),
            indicator_set,
            start_key=form.start_key.data,
            locale=form.language.data,
            second_language=form.second_language.data or None,
            institution=g.user.institution,
            role=form.role.data,
            user=g.user,
        )
        return redirect(url_for("checklist.step", token=screening.token, step=ops.SAFETY_STEP))
    unfinished = ops.own_drafts(get_session(), g.user, size=1).total
    return render_template("checklist/start.html", form=form, unfinished=unfinished), 400 if form.errors else 200  # type: ignore[return-value]


@dataclass(frozen=True)
class ScreeningStore:
    """A real screening's pages keep what they send in its row (see :mod:`screening.operations`)."""

    flow: Flow

    def save_answers(self, screening: Screening, answers: dict[str, str], step: str) -> None:
        ops.save_answers(get_session(), screening, answers, step)

    def save_profile(self, screening: Screening, profile: dict[str, Any], step: str) -> None:
        ops.save_profile(get_session(), screening, profile, step)

    def complete(self, screening: Screening, locale: str) -> None:
        ops.complete(get_session(), content(), screening, locale, g.user)

    def record_consent(self, screening: Screening, consent: str, informed: bool) -> None:
        ops.record_consent(get_session(), content(), screening, consent, informed, g.user)


def _store(token: str) -> ScreeningStore:
    return ScreeningStore(checklist_flow(token))


def _child(screening: Screening, indicator_set: IndicatorSet) -> bool:
    """Whether the profile brings in the set's child module (and the child rule)."""
    return ops.counts_as_child(content(), indicator_set, screening)


def _steps(screening: Screening, indicator_set: IndicatorSet) -> list[str]:
    return ops.steps(indicator_set, child=_child(screening, indicator_set))


def _neighbours(order: Sequence[str], step: str) -> tuple[str | None, str | None]:
    index = order.index(step)
    return (order[index - 1] if index > 0 else None, order[index + 1] if index + 1 < len(order) else None)


def _after_post(screening: Screening, indicator_set: IndicatorSet, step: str, flow: Flow) -> BaseResponse:
    """Where the buttons lead: language switch stays, back goes back, next (or review) goes on."""
    if LANG_BUTTON in request.form:
        remember_locale(normalise_locale(request.form[LANG_BUTTON]))
        return redirect(flow.url("step", step=step))
    previous, following = _neighbours(_steps(screening, indicator_set), step)  # the answers may have changed them
    if request.form.get(ACTION_BUTTON) == "person" and not flow.training:
        return redirect(url_for("person.start", token=screening.token, step=step))
    if request.form.get(ACTION_BUTTON) == "back" and previous:
        return redirect(flow.url("step", step=previous))
    if request.form.get("_return") == "review":
        following = ops.REVIEW_STEP
    return redirect(flow.url("step", step=following or ops.REVIEW_STEP))


@bp.route("/s/<token>/<step>", methods=["GET", "POST"])
@requires(SCREENER)
def step(token: str, step: str) -> Any:
    screening, indicator_set = _load(token)
    return step_page(screening, indicator_set, step, _store(token))


def step_page(screening: Screening, indicator_set: IndicatorSet, step: str, store: Store) -> Any:
    """One page of the checklist, shown (GET) or saved (POST), in a real screening or a rehearsal."""
    if screening.completed:
        return redirect(store.flow.url("result"))
    child = _child(screening, indicator_set)
    if step not in ops.steps(indicator_set, child=child):
        abort(404)
    if step == ops.PROFILE_STEP:
        return _profile_step(screening, indicator_set, store)
    if step == ops.REVIEW_STEP:
        return _review_step(screening, indicator_set, store)
    return _answers_step(screening, indicator_set, step, store, child)


def _answers_step(screening: Screening, indicator_set: IndicatorSet, step: str, store: Store, child: bool) -> Any:
    item_ids = forms.section_items(indicator_set, step, child=child)
    if request.method == "GET":
        return _render_section(screening, indicator_set, step, None, store.flow, child)
    form = forms.AnswersSubmission(item_ids, request.form)
    tampered = forms.unexpected_fields(request.form, item_ids)
    valid = form.validate() and not tampered
    # A language switch, Back or Show the person keeps what is valid (CSRFProtect checked the token).
    switching = LANG_BUTTON in request.form or request.form.get(ACTION_BUTTON) in ("back", "person")
    if not valid and not switching:
        if tampered:
            form.form_errors.append(_("This page does not ask these questions; nothing was saved from them."))
        return _render_section(screening, indicator_set, step, form, store.flow, child), 400
    in_danger_before = immediate_danger(indicator_set, screening.answers)
    store.save_answers(screening, forms.answers_from_form(form, item_ids, valid_only=True), step)
    if (
        step == ops.SAFETY_STEP
        and not in_danger_before
        and immediate_danger(indicator_set, screening.answers)
        and LANG_BUTTON not in request.form
        and request.form.get(ACTION_BUTTON) != "back"
    ):
        return redirect(store.flow.url("danger"))
    return _after_post(screening, indicator_set, step, store.flow)


def _render_section(
    screening: Screening, indicator_set: IndicatorSet, step: str, form: Any, flow: Flow, child: bool
) -> str:
    """A page of questions: the stored answers (``form`` None, a GET needs no WTForms form), or a
    refused submission's ``form`` with its values and errors; ``child`` as the page was opened."""
    order = ops.steps(indicator_set, child=child)
    section = ops.section(indicator_set, step, child=child)
    raw_second = screening.second_language
    second = raw_second if raw_second in UI_LOCALES and raw_second != current_locale() else None
    person = content().interviewee_texts(indicator_set, raw_second)
    return render_template(
        "checklist/section.html",
        screening=screening,
        flow=flow,
        indicator_set=indicator_set,
        section=section,
        child_module=ops.child_module_ids(indicator_set),
        form=form,
        questions=_questions_renderer(indicator_set, second, raw_second, person, screening.answers, form),
        step=step,
        position=order.index(step) + 1,
        total=len(order),
        previous=_neighbours(order, step)[0],
        second=second,
        person=person,
        person_questions=sum(1 for i in section.indicators if i.mode == "ask"),
        returning=request.values.get("return") == "review",
    )


def _questions_renderer(
    indicator_set: IndicatorSet,
    second: str | None,
    raw_second: str | None,
    person: IntervieweeTexts | None,
    answers: Mapping[str, str],
    form: Any,
) -> Callable[[Sequence[Any]], Markup]:
    """Render a page's questions (texts, guidance and answer buttons), each cached across requests.

    One call for the whole list: a Jinja loop calling back once per question cost more than the
    cached questions themselves.

    The answer shown is the stored one, or what a refused ``form`` sent. The fragment depends on
    the set and version, the question, the interface language, the second language shown beside it
    (``second``), the person's language (``raw_second``: their texts and its direction) and the
    checked answer; all of them are in the key. A question with an error message is rendered
    afresh and not kept.
    """
    template = current_app.jinja_env.get_template("checklist/_question.html")
    cache = fragments()
    locale = current_locale()
    page = {
        "tr": lambda text, loc=None: localise(text, loc or locale),
        "second": second,
        "person_lang": html_lang(raw_second or ""),
        "person_dir": direction(raw_second or ""),
        "choices": page_labels()["answer_choices"],
    }

    def question(item: Any) -> Markup:
        name = forms.field_name(item.id)
        field = form[name] if form is not None else None
        value = field.data if field is not None else answers.get(item.id)
        current = value if value in ANSWER_LABELS else forms.NOT_ASKED
        errors = field.errors if field is not None else ()
        person_text = person.items.get(item.id) if person else None

        def render() -> str:
            return template.render(
                item=item, name=name, errors=errors, current=current, person_text=person_text, **page
            )

        if errors:
            return Markup(render())
        return cache.get(
            (indicator_set.id, indicator_set.version, item.id, locale, second, raw_second, current), render
        )

    def questions(items: Sequence[Any]) -> Markup:
        return Markup("".join([question(item) for item in items]))  # each one is already safe HTML

    return questions


@bp.get("/s/<token>/danger")
@requires(SCREENER)
def danger(token: str) -> str:
    """Stop and call: the advice fits the screener's institution (a police officer calls for backup)."""
    screening, _indicator_set = _load(token)
    return danger_page(screening, checklist_flow(token))


def danger_page(screening: Screening, flow: Flow) -> str:
    phone = emergency_number(content().directory)
    return render_template(
        "checklist/danger.html",
        screening=screening,
        flow=flow,
        phone=phone,
        advice=danger_advice(screening.institution, phone),
    )


def _profile_step(screening: Screening, indicator_set: IndicatorSet, store: Store) -> Any:
    locale = current_locale()
    flow = store.flow
    if request.method == "GET":
        form = forms.profile_form(content(), locale, data=_profile_form_data(screening.profile or {}) or None)
        return _render_profile(screening, indicator_set, form, flow)
    form = forms.profile_form(content(), locale, formdata=request.form)
    if form.csrf_token.errors:
        return _render_profile(screening, indicator_set, form, flow), 400
    complete = form.validate()
    switching = LANG_BUTTON in request.form or request.form.get(ACTION_BUTTON) == "back"
    if not complete and not switching:
        return _render_profile(screening, indicator_set, form, flow), 400
    # On a language switch or Back, keep what is valid so far; the review asks for the rest.
    child_before = _child(screening, indicator_set)
    store.save_profile(screening, {**_profile_data(form), "complete": complete}, ops.PROFILE_STEP)
    added = _child(screening, indicator_set) and not child_before and indicator_set.child_sections
    if added and not switching and request.form.get("_return") == "review":
        # The child module has just joined: walk its pages before checking the answers again.
        return redirect(flow.url("step", step=indicator_set.child_sections[0].id))
    return _after_post(screening, indicator_set, ops.PROFILE_STEP, flow)


def _profile_form_data(stored: dict[str, Any]) -> dict[str, Any]:
    """The stored profile as the form's data. A draft begun before the age estimate keeps its
    meaning: "the age is an estimate, the person may be under 18" is the estimate "may be under 18"."""
    data = dict(stored)
    if not data.get("age_estimate") and data.get("age_uncertain"):
        data["age_estimate"] = "may_be_minor"
    if data.get("age_unknown"):
        data["age"] = None
    return data


def _profile_data(form: forms.ProfileForm) -> dict[str, Any]:
    """The profile as stored; a field that did not validate is left out."""
    valid = {name: field.data for name, field in form._fields.items() if not field.errors and name != "csrf_token"}
    age = valid.get("age")
    return {
        "age": age,
        # Kept beside the estimate so readers of 2026.1 profiles (statistics, the slip) read it too.
        "age_unknown": age is None,
        "age_estimate": valid.get("age_estimate") or None,
        "sex": valid.get("sex"),
        "nationality": valid.get("nationality"),
        "country": (valid.get("country") or None) if valid.get("nationality") == "other" else None,
        "asylum_seeker": valid.get("asylum_seeker"),
        "spoken_language": valid.get("spoken_language") or None,
        "municipality": valid.get("municipality") or None,
        "case_reference": (valid.get("case_reference") or "").strip() or None,
    }


def _render_profile(screening: Screening, indicator_set: IndicatorSet, form: Any, flow: Flow) -> str:
    order = _steps(screening, indicator_set)
    return render_template(
        "checklist/profile.html",
        screening=screening,
        flow=flow,
        form=form,
        step=ops.PROFILE_STEP,
        position=order.index(ops.PROFILE_STEP) + 1,
        total=len(order),
        previous=ops.SAFETY_STEP,
        returning=request.values.get("return") == "review",
    )


def _review_step(screening: Screening, indicator_set: IndicatorSet, store: Store) -> Any:
    form = forms.PageMessages()  # the final submission sends only its CSRF token
    if request.method == "POST":
        if LANG_BUTTON in request.form:
            remember_locale(normalise_locale(request.form[LANG_BUTTON]))
            return redirect(store.flow.url("step", step=ops.REVIEW_STEP))
        if not (screening.profile or {}).get("complete"):
            form.form_errors.append(_("Fill in the profile before you finish."))
        else:
            store.complete(screening, current_locale())
            return redirect(store.flow.url("result"))
    child = _child(screening, indicator_set)
    order = ops.steps(indicator_set, child=child)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "checklist/review.html",
        screening=screening,
        flow=store.flow,
        indicator_set=indicator_set,
        sections=indicator_set.sections_for(child),
        child_module=ops.child_module_ids(indicator_set),
        form=form,
        step=ops.REVIEW_STEP,
        position=len(order),
        total=len(order),
        previous=order[-2],
        profile_rows=_profile_rows(screening),
    ), status


def _profile_rows(screening: Screening) -> list[tuple[str, str]]:
    from screening.web.presenting import profile_rows

    return profile_rows(screening.profile or {}, content(), current_locale())


@bp.route("/s/<token>/result", methods=["GET"])
@requires(SCREENER)
def result(token: str) -> Any:
    screening, indicator_set = _load(token)
    if screening.completed:
        _audit("screening_viewed", screening)
        referral_slip.render_ahead(screening, current_locale())  # what "Download PDF" here asks for
    return result_page(screening, indicator_set, checklist_flow(token))


def result_page(screening: Screening, indicator_set: IndicatorSet, flow: Flow) -> Any:
    """The result with the consent form; a draft goes back to the page it was left on."""
    if not screening.completed:
        left_on = screening.step if screening.step in _steps(screening, indicator_set) else ops.SAFETY_STEP
        return redirect(flow.url("step", step=left_on))
    form = forms.ConsentForm(
        data={
            "consent": screening.consent,
            "informed_of_rights": {True: "yes", False: "no", None: None}[screening.informed_of_rights],
        }
    )
    return _render_result(screening, form, flow)


def _audit(action: str, screening: Screening, outcome: str = "ok") -> None:
    audit.record(
        get_session(), action, actor=g.user.username, object_type="screening", object_id=screening.id, outcome=outcome
    )


def _render_result(screening: Screening, form: forms.ConsentForm, flow: Flow) -> str:
    view = result_view(screening, current_locale())
    pdf_enabled = current_app.config["SCREENING_SETTINGS"].pdf_enabled
    return render_template(
        "checklist/result.html", screening=screening, flow=flow, form=form, view=view, pdf_enabled=pdf_enabled
    )


@bp.post("/s/<token>/consent")
@requires(SCREENER)
def consent(token: str) -> Any:
    screening, _indicator_set = _load(token)
    return consent_page(screening, _store(token))


def consent_page(screening: Screening, store: Store) -> Any:
    """Save consent and information on a completed screening (or rehearsal), or show what is wrong."""
    if not screening.completed:
        abort(409)
    form = forms.ConsentForm()
    if not form.validate():
        return _render_result(screening, form, store.flow), 400
    store.record_consent(screening, form.consent.data, form.informed_of_rights.data == "yes")
    return redirect(store.flow.url("result") + "#referrals")


def _slip_screening(token: str) -> tuple[Screening, str]:
    """The completed screening and the slip's language: the recipient's (``?lang=``), else the screener's."""
    screening, _indicator_set = _load(token)
    if not screening.completed:
        abort(404)
    return screening, normalise_locale(request.args.get("lang")) or current_locale()


@bp.route("/s/<token>/erase", methods=["GET", "POST"])
@requires(SCREENER)
def erase(token: str) -> Any:
    """Erasure of one screening (or discarding of a draft) by its institution's screener, after a
    confirmation page that says what stays."""
    screening, indicator_set = _load(token)
    form = forms.ConfirmForm()
    back = url_for("checklist.screenings") if screening.completed else url_for("checklist.unfinished")
    if request.method == "POST" and form.validate():
        ops.erase(get_session(), screening, actor=g.user.username, reason="request")
        get_session().commit()
        return redirect(back)
    return render_template(
        "checklist/erase.html", screening=screening, indicator_set=indicator_set, form=form, back=back
    )


#: Rows per page in the screenings lists.
PAGE_SIZE = 25


def _page_number() -> int:
    """``?page=`` as a number from 1; anything else is a missing page (404), never an error."""
    raw = request.args.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        abort(404)
    return int(raw)


@bp.get("/screenings")
@requires(SCREENER)
def screenings() -> str | BaseResponse:
    """The institution's completed screenings: slip number, date, set and level, nothing personal."""
    number = _page_number()
    db = get_session()
    listing = ops.institution_screenings(db, g.user.institution, page=number, size=PAGE_SIZE)
    if listing.number != number:  # past the end: the last page
        return redirect(url_for("checklist.screenings", page=listing.number))
    unfinished = ops.own_drafts(db, g.user, size=1).total
    return render_template("checklist/screenings.html", listing=listing, unfinished=unfinished, content=content())


@bp.get("/screenings/unfinished")
@requires(SCREENER)
def unfinished() -> str | BaseResponse:
    """My unfinished screenings: when each was started and last changed, its set, how far it is,
    and a link back to the page it was left on. Only the screener's own drafts."""
    number = _page_number()
    listing = ops.own_drafts(get_session(), g.user, page=number, size=PAGE_SIZE)
    if listing.number != number:
        return redirect(url_for("checklist.unfinished", page=listing.number))
    drafts = [(draft, ops.draft_progress(content(), draft)) for draft in listing.rows]
    return render_template(
        "checklist/unfinished.html",
        listing=listing,
        drafts=drafts,
        content=content(),
        retention_days=current_app.config["SCREENING_SETTINGS"].retention_days,
    )


@bp.get("/s/<token>/slip")
@requires(SCREENER)
def slip(token: str) -> str:
    screening, language = _slip_screening(token)
    html = referral_slip.print_view(screening, language)
    _audit("slip_printed", screening)
    return html


@bp.get("/s/<token>/slip.pdf")
@requires(SCREENER)
def slip_pdf(token: str) -> Response:
    if not current_app.config["SCREENING_SETTINGS"].pdf_enabled:
        abort(404)
    screening, language = _slip_screening(token)
    pdf = referral_slip.render_pdf(screening, language)
    _audit("slip_downloaded", screening)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="referral-slip-{screening.slip_number}.pdf"'
    return response

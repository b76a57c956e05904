"""Training mode: a trainer runs a class on scenarios; trainees join with a code, no account.

Everything here is marked as training on every page and stored apart from real screenings.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from screening import address_limits
from screening import operations as ops
from screening.core.languages import NATIVE_NAMES, UI_LOCALES, normalise_locale
from screening.core.model import Content, IndicatorSet, Scenario
from screening.core.training import give_feedback
from screening.core.training_report import AFTER, BEFORE, PHASES, Attempt, ClassReport, Figures, change
from screening.core.training_report import class_report as compute_class_report
from screening.db import get_session
from screening.i18n import current_locale, remember_locale
from screening.models import (
    COMPLETED,
    DRAFT,
    JoinAddress,
    Screening,
    Trainee,
    TrainingAttempt,
    TrainingRun,
    TrainingSession,
    utcnow,
)
from screening.roles import TRAINER
from screening.web import forms, views
from screening.web import slip as referral_slip
from screening.web.access import public, requires
from screening.web.csv_export import csv_response
from screening.web.flow import Flow, rehearsal_flow
from screening.web.forms import Form

bp = Blueprint("training", __name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a projector
CODE_LENGTH = 6
PROFESSIONS = {
    "police": _l("Police officer"),
    "border_police": _l("Border police officer"),
    "labour_inspector": _l("Labour inspector"),
    "social_worker": _l("Social worker"),
    "health_worker": _l("Health worker"),
    "mobile_team": _l("Mobile team member"),
    "other": _l("Other profession"),
}
#: Wrong join codes allowed from one network address per window; a class behind one router
#: makes a few typing mistakes, a script guessing codes makes thousands.
JOIN_WRONG_CODES_PER_WINDOW = 20
JOIN_WINDOW_SECONDS = 10 * 60
#: Bidirectional embedding, override and isolate controls (and the invisible direction marks):
#: in a name they turn the text around so that it reads as something else. Dropped from input.
BIDI_CONTROLS = dict.fromkeys([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_bidi_controls(value: str | None) -> str | None:
    """The text without bidirectional control characters (a form filter)."""
    return value.translate(BIDI_CONTROLS) if value else value


def _content() -> Content:
    loaded: Content = current_app.extensions["screening.content"]
    return loaded


class NewSessionForm(Form):
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=120)], filters=[without_bidi_controls])
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    language = SelectField(
        _l("Language of the session"), choices=forms.options((c, NATIVE_NAMES[c]) for c in UI_LOCALES)
    )
    scenarios = SelectMultipleField(_l("Scenarios"), validators=[DataRequired()])


PHASE_LABELS = {BEFORE: _l("Before the training"), AFTER: _l("After the training")}
PHASE_CHOICES = [("", _l("Not marked")), *PHASE_LABELS.items()]


def phases_form(training: TrainingSession, formdata: Any = None) -> Form:
    """One select per scenario of the session: not marked, before or after the training. The
    fields are named by the scenario's position (``phase_0``...), so no id shows in the page."""

    class PhasesForm(Form):
        pass

    current = training.scenario_phases or {}
    for n, scenario_id in enumerate(training.scenario_ids):
        setattr(
            PhasesForm,
            f"phase_{n}",
            SelectField(choices=forms.options(PHASE_CHOICES), default=current.get(scenario_id, "")),
        )
    return PhasesForm(formdata=formdata) if formdata is not None else PhasesForm()


class JoinForm(Form):
    code = StringField(_l("Join code"), validators=[DataRequired(), Length(min=CODE_LENGTH, max=CODE_LENGTH)])
    display_name = StringField(
        _l("Your name for this class (a first name or a nickname)"),
        validators=[DataRequired(), Length(max=40)],
        filters=[without_bidi_controls],
    )
    profession = SelectField(_l("Your profession"), choices=forms.options(PROFESSIONS.items()))
    language = SelectField(_l("Your language"), choices=forms.options((c, NATIVE_NAMES[c]) for c in UI_LOCALES))


@bp.context_processor
def training_banner() -> dict[str, Any]:
    """Every training page says TRAINING; a rehearsal's pages also keep its narrative in view."""
    return {"training": True, "rehearsed": g.get("rehearsed")}


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _session_form(formdata: Any = None) -> NewSessionForm:
    form = NewSessionForm(formdata=formdata) if formdata is not None else NewSessionForm(held_on=dt.date.today())
    from screening.core.languages import localise
    from screening.i18n import current_locale

    locale = current_locale()
    form.scenarios.choices = forms.options(
        (s.id, f"{localise(s.title, locale)} ({_set_title(s, locale)})") for s in _content().scenarios.values()
    )
    return form


def _set_title(scenario: Scenario, locale: str) -> str:
    """The title of the set a scenario is answered on, in ``locale`` (never its id)."""
    from screening.core.languages import localise

    indicator_set = _content().get_set(scenario.set_id, scenario.set_version)
    return localise(indicator_set.title, locale) if indicator_set else scenario.set_version


def item_texts(scenario_ids: Any) -> dict[str, Any]:
    """The texts of every indicator and safety check the scenarios ask, by id: pages name them
    by their texts, never by their ids."""
    texts: dict[str, Any] = {}
    for scenario_id in scenario_ids:
        scenario = _content().scenarios.get(scenario_id)
        indicator_set = _content().get_set(scenario.set_id, scenario.set_version) if scenario else None
        if indicator_set is not None:
            texts |= {i.id: i.text for i in indicator_set.indicators}
            texts |= {c.id: c.text for c in indicator_set.safety_checks}
    return texts


@bp.route("/training/", methods=["GET", "POST"])
@requires(TRAINER)
def sessions() -> Any:
    db = get_session()
    form = _session_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        for _attempt in range(5):
            training = TrainingSession(
                code=_new_code(),
                trainer_id=g.user.id,
                language=form.language.data,
                scenario_ids=form.scenarios.data,
                place=form.place.data.strip(),
                held_on=form.held_on.data,
            )
            db.add(training)
            try:
                db.commit()
                break
            except IntegrityError:  # the code was taken: draw another
                db.rollback()
        return redirect(url_for("training.class_view", code=training.code))
    mine = db.scalars(
        select(TrainingSession).where(TrainingSession.trainer_id == g.user.id).order_by(TrainingSession.id.desc())
    ).all()
    return render_template("training/sessions.html", form=form, sessions=mine), 400 if form.errors else 200


def _own_session(code: str) -> TrainingSession:
    training = get_session().scalars(select(TrainingSession).where(TrainingSession.code == code)).first()
    if training is None or training.trainer_id != g.user.id:
        abort(404)
    return training


def class_summary(training: TrainingSession) -> dict[str, Any]:
    """Per scenario the spread of levels and the most-missed indicators; per trainee a score; and
    the class's results before against after the training (``report``)."""
    db = get_session()
    trainees = db.scalars(select(Trainee).where(Trainee.session_id == training.id).order_by(Trainee.id)).all()
    attempts = (
        db.scalars(select(TrainingAttempt).where(TrainingAttempt.trainee_id.in_([t.id for t in trainees]))).all()
        if trainees
        else []
    )
    by_scenario: dict[str, dict[str, Any]] = {}
    for scenario_id in training.scenario_ids:
        done = [a for a in attempts if a.scenario_id == scenario_id]
        by_scenario[scenario_id] = {
            "attempts": len(done),
            "levels": Counter(a.feedback["level"] for a in done),
            "missed": Counter(i for a in done for i in a.feedback["missed"]).most_common(5),
        }
    report = compute_class_report(
        training.scenario_ids,
        training.scenario_phases or {},
        (Attempt.from_feedback(a.trainee_id, a.feedback) for a in sorted(attempts, key=lambda a: a.id)),
        trainees=[t.id for t in trainees],
    )
    figures = {t.trainee: t for t in report.trainees}
    people = [
        {
            "name": trainee.display_name,
            "profession": trainee.profession,
            "done": figures[trainee.id].overall.attempts,
            "score": figures[trainee.id].overall.score,
            "before": figures[trainee.id].before.score,
            "after": figures[trainee.id].after.score,
            "language": trainee.language,
            "figures": figures[trainee.id],
        }
        for trainee in trainees
    ]
    return {
        "scenarios": by_scenario,
        "trainees": people,
        "professions": Counter(t.profession for t in trainees),
        "report": report,
    }


def _qr_data_uri(url: str) -> str:
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", scale=6, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


def public_join_url(code: str) -> str:
    """The join link as the trainees' tablets must open it: on the deployment's public address
    (the ``public_url`` setting) when one is set, else on the address this request came to."""
    public_url = current_app.config["SCREENING_SETTINGS"].public_url
    if public_url:
        return public_url.rstrip("/") + url_for("training.join", code=code)
    return url_for("training.join", code=code, _external=True)


def reachable_only_here(url: str) -> bool:
    """Whether the link names this machine itself (127.0.0.1, localhost), which no tablet can open."""
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


@bp.get("/training/<code>")
@requires(TRAINER)
def class_view(code: str) -> str:
    training = _own_session(code)
    join_url = public_join_url(training.code)
    return render_template(
        "training/class.html",
        training=training,
        summary=class_summary(training),
        scenarios=_content().scenarios,
        join_url=join_url,
        class_day=(join_closes_at(training, _class_time_zone()) - dt.timedelta(days=1)).date(),
        join_url_local=reachable_only_here(join_url),
        qr=_qr_data_uri(join_url),
        professions=PROFESSIONS,
        texts=item_texts(training.scenario_ids),
        phases_form=phases_form(training),
        **_comparison_context(),
    )


def _comparison_context() -> dict[str, Any]:
    return {"phase_labels": PHASE_LABELS, "phases": PHASES, "change": change}


@bp.post("/training/<code>/phases")
@requires(TRAINER)
def set_phases(code: str) -> BaseResponse:
    """The trainer marks each scenario of the session as before or after the training."""
    training = _own_session(code)
    form = phases_form(training, request.form)
    if form.validate():
        chosen = {
            scenario_id: form[f"phase_{n}"].data
            for n, scenario_id in enumerate(training.scenario_ids)
            if form[f"phase_{n}"].data in PHASES
        }
        training.scenario_phases = chosen  # a new dict: the JSON column sees the change
        get_session().commit()
    return redirect(url_for("training.class_view", code=training.code) + "#phases")


CSV_HEADER = [
    "session",
    "date",
    "place",
    "row",
    "name",
    "profession",
    "phase",
    "attempts",
    "must_find",
    "found",
    "found_pct",
    "unsupported",
    "unsupported_per_attempt",
    "right_outcome",
    "right_outcome_pct",
    "right_contacts",
    "right_contacts_pct",
    "score",
]


def _figure_cells(figures: Figures) -> list[object]:
    def cell(value: object) -> object:
        return "" if value is None else value

    return [
        figures.attempts,
        figures.must_find,
        figures.found,
        cell(figures.found_share),
        figures.unsupported,
        cell(figures.unsupported_per_attempt),
        figures.right_outcome,
        cell(figures.right_outcome_share),
        figures.right_contacts,
        cell(figures.right_contacts_share),
        cell(figures.score),
    ]


def class_csv_rows(training: TrainingSession, summary: dict[str, Any], locale: str) -> list[list[object]]:
    """The class view's figures as rows: the class before and after, each scenario, each indicator
    before and after (by its text in ``locale``), and each trainee overall, before and after. The
    phase column holds ``before``, ``after`` or nothing (all, or a scenario not marked)."""
    from screening.core.languages import localise

    report: ClassReport = summary["report"]
    texts = item_texts(training.scenario_ids)
    scenarios = _content().scenarios
    lead = [training.code, training.held_on.isoformat(), training.place]
    rows: list[list[object]] = []
    for phase in PHASES:
        rows.append([*lead, "class", "", "", phase, *_figure_cells(report.by_phase[phase])])
    for row in report.scenarios:
        scenario = scenarios.get(row.scenario)
        title = localise(scenario.title, locale) if scenario else ""
        rows.append([*lead, "scenario", title, "", row.phase or "", *_figure_cells(row.figures)])
    for indicator in report.indicators:
        name = localise(texts[indicator.indicator], locale) if indicator.indicator in texts else ""
        for phase in PHASES:
            count = indicator.by_phase[phase]
            found_pct = "" if count.found_share is None else count.found_share
            blank = ["", "", "", "", "", "", ""]
            rows.append(
                [
                    *lead,
                    "indicator",
                    name,
                    "",
                    phase,
                    "",
                    count.asked,
                    count.found,
                    found_pct,
                    count.unsupported,
                    *blank,
                ]
            )
    for person in summary["trainees"]:
        figures = person["figures"]
        rows.append([*lead, "trainee", person["name"], person["profession"], "", *_figure_cells(figures.overall)])
        for phase in PHASES:
            rows.append(
                [*lead, "trainee", person["name"], person["profession"], phase, *_figure_cells(figures.by_phase[phase])]
            )
    return rows


@bp.get("/training/<code>.csv")
@requires(TRAINER)
def class_csv(code: str) -> Response:
    from screening.i18n import current_locale

    training = _own_session(code)
    rows = class_csv_rows(training, class_summary(training), current_locale())
    return csv_response(CSV_HEADER, rows, f"training-{training.code}.csv")


@bp.get("/training/<code>/summary")
@requires(TRAINER)
def class_report(code: str) -> str:
    training = _own_session(code)
    return render_template(
        "training/report.html",
        training=training,
        summary=class_summary(training),
        scenarios=_content().scenarios,
        professions=PROFESSIONS,
        texts=item_texts(training.scenario_ids),
        **_comparison_context(),
    )


# --- trainees ---------------------------------------------------------------------------------


def _trainee() -> tuple[Trainee, TrainingSession]:
    db = get_session()
    token = session.get("trainee")
    trainee = db.scalars(select(Trainee).where(Trainee.token == token)).first() if token else None
    if trainee is None:
        abort(redirect(url_for("training.join")))
    training = db.get(TrainingSession, trainee.session_id)
    assert training is not None
    return trainee, training


def join_closes_at(training: TrainingSession, zone: ZoneInfo) -> dt.datetime:
    """When the class's join code stops working: midnight in ``zone`` at the end of the class day.

    The class day is the session's date, or the day it was created when that is later, so that a
    date typed in the past does not close a new class before it starts.
    """
    created = training.created_at if training.created_at.tzinfo else training.created_at.replace(tzinfo=dt.UTC)
    day = max(training.held_on, created.astimezone(zone).date())
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def _class_time_zone() -> ZoneInfo:
    """The ``timezone`` setting: Kosovo's (Europe/Belgrade) unless changed."""
    return ZoneInfo(current_app.config["SCREENING_SETTINGS"].timezone)


def _open_class(code: str) -> tuple[TrainingSession | None, Any]:
    """The class a join code opens, or None and the message that says why not."""
    training = get_session().scalars(select(TrainingSession).where(TrainingSession.code == code)).first()
    if training is None:
        return None, _l("No class has this code. Check it on the projector.")
    if utcnow() >= join_closes_at(training, _class_time_zone()):
        return None, _l("This class has ended: its code worked until the end of the class day. Ask the trainer.")
    return training, None


@bp.route("/join", methods=["GET", "POST"])
@public
def join() -> Any:
    form = JoinForm(code=request.args.get("code", "")) if request.method == "GET" else JoinForm()
    if request.method == "GET":
        return render_template("training/join.html", form=form)
    status = 400
    if form.validate():
        key = address_limits.address_key(str(current_app.config["SECRET_KEY"]), request.remote_addr or "")
        window = address_limits.window_start(utcnow(), JOIN_WINDOW_SECONDS)
        db = get_session()
        wrong = address_limits.count_attempt(db, JoinAddress, key, window)
        db.commit()  # counted before the code is looked up, so parallel guesses cannot slip past
        if wrong > JOIN_WRONG_CODES_PER_WINDOW:
            wait = JOIN_WINDOW_SECONDS // 60
            form.code.errors = [
                _l("Too many wrong codes from this network. Wait %(minutes)s minutes, then try again.", minutes=wait)
            ]
            status = 429
        else:
            training, refusal = _open_class(form.code.data.strip().upper())
            if training is None:
                form.code.errors = [refusal]
            else:
                address_limits.forgive_attempt(db, JoinAddress, key, window)
                return _admit(training, form)
    return render_template("training/join.html", form=form), status


def _admit(training: TrainingSession, form: JoinForm) -> BaseResponse:
    """Make the trainee (anonymous: a chosen name and a profession) and open the class's scenarios."""
    db = get_session()
    trainee = Trainee(
        session_id=training.id,
        token=secrets.token_urlsafe(24),
        display_name=form.display_name.data.strip(),
        profession=form.profession.data,
        language=form.language.data,
    )
    db.add(trainee)
    db.commit()
    session["trainee"] = trainee.token
    remember_locale(form.language.data)
    return redirect(url_for("training.scenarios"))


@bp.get("/t/")
@public
def scenarios() -> str:
    trainee, training = _trainee()
    done = {
        a.scenario_id
        for a in get_session().scalars(select(TrainingAttempt).where(TrainingAttempt.trainee_id == trainee.id))
    }
    order = {BEFORE: 0, AFTER: 2}  # the scenarios marked before the training first, those after it last
    phases = training.scenario_phases or {}
    chosen = sorted(
        (_content().scenarios[s] for s in training.scenario_ids if s in _content().scenarios),
        key=lambda s: order.get(phases.get(s.id, ""), 1),
    )
    return render_template("training/scenarios.html", trainee=trainee, scenarios=chosen, done=done)


def _scenario(training: TrainingSession, scenario_id: str) -> Scenario:
    scenario = _content().scenarios.get(scenario_id)
    if scenario is None or scenario_id not in training.scenario_ids:
        abort(404)
    return scenario


#: The seat a trainee's profession takes in a rehearsal (an institution and a role, as a
#: screener's account and start page give them), so the danger advice and the slip fit it.
PROFESSION_SEATS = {
    "police": ("police", "first_contact_officer"),
    "border_police": ("border_police", "first_contact_officer"),
    "labour_inspector": ("labour_inspectorate", "labour_inspector"),
    "social_worker": ("csw", "social_worker"),
    "health_worker": ("health", "health_worker"),
    "mobile_team": ("other", "other"),
    "other": ("other", "other"),
}
#: Marks a rehearsal's slip number, so no training slip passes for a real one.
TRAINING_SLIP_PREFIX = "T-"


@dataclass
class RehearsalStore:
    """A rehearsal's pages keep what they send in its ``training_runs`` row; finishing it adds the
    trainee's attempt (answers and feedback) the class view counts. Never a screening, never
    counted in statistics, never audited."""

    run: TrainingRun
    scenario: Scenario
    flow: Flow

    def save_answers(self, screening: Screening, answers: dict[str, str], step: str) -> None:
        if self.run.completed_at is None:
            screening.answers = self.run.answers = {**self.run.answers, **answers}
            screening.step = self.run.step = step
            get_session().commit()

    def save_profile(self, screening: Screening, profile: dict[str, Any], step: str) -> None:
        if self.run.completed_at is None:
            screening.profile = self.run.profile = profile
            screening.step = self.run.step = step
            get_session().commit()

    def complete(self, screening: Screening, locale: str) -> None:
        if self.run.completed_at is not None:
            return
        values = ops.completion_values(_content(), screening, locale)
        values["slip_number"] = TRAINING_SLIP_PREFIX + values["slip_number"]
        for column in ("scoring_version", "rules_version", "locale", "result", "referrals", "slip_number", "step"):
            setattr(self.run, column, values[column])
        self.run.completed_at = values["completed_at"]
        feedback = give_feedback(_content(), self.scenario, self.run.answers, ops.core_profile(screening))
        db = get_session()
        db.add(
            TrainingAttempt(
                trainee_id=self.run.trainee_id,
                scenario_id=self.scenario.id,
                answers=dict(self.run.answers),
                feedback=feedback.to_dict(),
            )
        )
        try:
            db.commit()
        except IntegrityError:  # a double tap: the first submission stands
            db.rollback()

    def record_consent(self, screening: Screening, consent: str, informed: bool) -> None:
        screening.consent = self.run.consent = consent
        screening.informed_of_rights = self.run.informed_of_rights = informed
        screening.referrals = self.run.referrals = ops.referrals_now(_content(), screening)
        get_session().commit()


def as_screening(run: TrainingRun, scenario: Scenario, trainee: Trainee) -> Screening:
    """The rehearsal as the checklist's pages read a screening. Transient: it is never added to
    the database session, so nothing of it can be written to ``screenings``."""
    institution, role = PROFESSION_SEATS.get(trainee.profession, PROFESSION_SEATS["other"])
    return Screening(
        token=f"training-{run.id}",
        status=COMPLETED if run.completed_at else DRAFT,
        set_id=scenario.set_id,
        set_version=scenario.set_version,
        scoring_version=run.scoring_version,
        rules_version=run.rules_version,
        locale=run.locale or trainee.language,
        second_language=None,
        institution=institution,
        role=role,
        step=run.step,
        profile=dict(run.profile or {}),
        answers=dict(run.answers or {}),
        consent=run.consent,
        informed_of_rights=run.informed_of_rights,
        result=run.result,
        referrals=run.referrals,
        slip_number=run.slip_number,
        created_at=run.created_at,
        completed_at=run.completed_at,
    )


@dataclass(frozen=True)
class Rehearsal:
    trainee: Trainee
    scenario: Scenario
    indicator_set: IndicatorSet
    run: TrainingRun
    screening: Screening
    store: RehearsalStore


def _attempt(trainee: Trainee, scenario_id: str) -> TrainingAttempt | None:
    return (
        get_session()
        .scalars(
            select(TrainingAttempt).where(
                TrainingAttempt.trainee_id == trainee.id, TrainingAttempt.scenario_id == scenario_id
            )
        )
        .first()
    )


def _rehearsal(scenario_id: str, *, start: bool = False) -> Rehearsal:
    """The trainee's rehearsal of ``scenario_id``, begun now when ``start`` and not yet begun
    (else a page of it sends the trainee to its beginning)."""
    trainee, training = _trainee()
    chosen = _scenario(training, scenario_id)
    indicator_set = _content().get_set(chosen.set_id, chosen.set_version)
    assert indicator_set is not None, "the loader checks a scenario's set"
    db = get_session()
    query = select(TrainingRun).where(TrainingRun.trainee_id == trainee.id, TrainingRun.scenario_id == chosen.id)
    run = db.scalars(query).first()
    if run is None and not start:
        abort(redirect(url_for("training.scenario", scenario_id=chosen.id)))
    if run is None:
        db.add(TrainingRun(trainee_id=trainee.id, scenario_id=chosen.id, step=ops.SAFETY_STEP, profile={}, answers={}))
        try:
            db.commit()
        except IntegrityError:  # the same tap twice: one run
            db.rollback()
        run = db.scalars(query).one()
    g.rehearsed = chosen  # the narrative, on every page of the rehearsal
    flow = rehearsal_flow(chosen.id)
    return Rehearsal(
        trainee, chosen, indicator_set, run, as_screening(run, chosen, trainee), RehearsalStore(run, chosen, flow)
    )


@bp.get("/t/<scenario_id>")
@public
def scenario(scenario_id: str) -> BaseResponse:
    """Begin (or go back to) the rehearsal of a scenario on the real checklist's pages."""
    trainee, training = _trainee()
    chosen = _scenario(training, scenario_id)
    has_run = (
        get_session()
        .scalars(
            select(TrainingRun.id).where(TrainingRun.trainee_id == trainee.id, TrainingRun.scenario_id == chosen.id)
        )
        .first()
    )
    if has_run is None and _attempt(trainee, chosen.id) is not None:  # answered before rehearsals
        return redirect(url_for("training.feedback", scenario_id=chosen.id))
    rehearsal = _rehearsal(scenario_id, start=True)
    if rehearsal.run.completed_at is not None:
        return redirect(rehearsal.store.flow.url("result"))
    return redirect(rehearsal.store.flow.url("step", step=rehearsal.run.step or ops.SAFETY_STEP))


@bp.route("/t/<scenario_id>/s/<step>", methods=["GET", "POST"])
@public
def rehearse_step(scenario_id: str, step: str) -> Any:
    r = _rehearsal(scenario_id)
    return views.step_page(r.screening, r.indicator_set, step, r.store)


@bp.get("/t/<scenario_id>/danger")
@public
def rehearse_danger(scenario_id: str) -> str:
    r = _rehearsal(scenario_id)
    return views.danger_page(r.screening, r.store.flow)


@bp.get("/t/<scenario_id>/result")
@public
def rehearse_result(scenario_id: str) -> Any:
    r = _rehearsal(scenario_id)
    return views.result_page(r.screening, r.indicator_set, r.store.flow)


@bp.post("/t/<scenario_id>/consent")
@public
def rehearse_consent(scenario_id: str) -> Any:
    r = _rehearsal(scenario_id)
    return views.consent_page(r.screening, r.store)


def _rehearsal_slip(scenario_id: str, *, pdf: bool) -> str:
    r = _rehearsal(scenario_id)
    if not r.screening.completed:
        abort(404)
    language = normalise_locale(request.args.get("lang")) or current_locale()
    return referral_slip.render_html(
        r.screening, language, pdf=pdf, flow=r.store.flow, officer_name=r.trainee.display_name
    )


@bp.get("/t/<scenario_id>/slip")
@public
def rehearse_slip(scenario_id: str) -> str:
    """The slip the trainee would hand over, marked TRAINING on every page."""
    return _rehearsal_slip(scenario_id, pdf=False)


@bp.get("/t/<scenario_id>/slip.pdf")
@public
def rehearse_slip_pdf(scenario_id: str) -> Response:
    if not current_app.config["SCREENING_SETTINGS"].pdf_enabled:
        abort(404)
    pdf = referral_slip.pdf_bytes(_rehearsal_slip(scenario_id, pdf=True))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="training-slip.pdf"'
    return response


@bp.get("/t/<scenario_id>/feedback")
@public
def feedback(scenario_id: str) -> BaseResponse | str:
    trainee, training = _trainee()
    chosen = _scenario(training, scenario_id)
    attempt = _attempt(trainee, chosen.id)
    if attempt is None:
        return redirect(url_for("training.scenario", scenario_id=chosen.id))
    indicator_set = _content().get_set(chosen.set_id, chosen.set_version)
    assert indicator_set is not None
    g.rehearsed = chosen
    rehearsed = get_session().scalars(
        select(TrainingRun.id).where(TrainingRun.trainee_id == trainee.id, TrainingRun.scenario_id == chosen.id)
    )
    return render_template(
        "training/feedback.html",
        scenario=chosen,
        result_url=rehearsal_flow(chosen.id).url("result") if rehearsed.first() is not None else None,
        result=attempt.feedback,
        texts=item_texts([chosen.id]),
        contacts=_content().directory.contacts,
        levels=_content().scoring_for(indicator_set),
    )

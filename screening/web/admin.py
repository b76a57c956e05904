"""Administration: users, the audit trail, retention; aggregate statistics for supervisors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import MonthField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from screening import accounts, audit, statistics, statistics_db
from screening import operations as ops
from screening.core.languages import localise
from screening.db import get_session
from screening.i18n import current_locale
from screening.models import ApiToken, AuditEvent, User
from screening.roles import ADMIN, SUPERVISOR
from screening.web.access import requires
from screening.web.csv_export import csv_response
from screening.web.forms import FULL_NAME_MESSAGE, ConfirmForm, Form, full_name_field, options
from screening.web.templating import ROLE_LABELS
from screening.web.vocabulary import AUDIT_ACTIONS, AUDIT_OBJECTS, AUDIT_OUTCOMES, INSTITUTIONS

bp = Blueprint("admin", __name__, url_prefix="/admin")

ACCOUNT_MESSAGES = {
    "bad_username": _l("Use 3 to 60 lower-case letters, digits, dots, dashes or underscores."),
    "bad_role": _l("Choose a role."),
    "bad_institution": _l("Choose an institution."),
    "username_taken": _l("This user name is taken."),
    "bad_full_name": FULL_NAME_MESSAGE,
}
AUDIT_PAGE = 200


class NewUserForm(Form):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=60)])
    full_name = full_name_field()
    role = SelectField(_l("Role"), choices=options(ROLE_LABELS.items()), validators=[DataRequired()])
    institution = SelectField(_l("Institution"), choices=options(INSTITUTIONS.items()), validators=[DataRequired()])
    municipality = SelectField(_l("Municipality"), validators=[Optional()])


def _new_user_form(formdata: Any = None) -> NewUserForm:
    form = NewUserForm(formdata=formdata) if formdata is not None else NewUserForm()
    directory = current_app.extensions["screening.content"].directory
    locale = current_locale()
    names = sorted((m.key, localise(m.name, locale)) for m in directory.municipalities.values())
    form.municipality.choices = options([("", _l("Not known")), *sorted(names, key=lambda p: p[1])])
    return form


@bp.route("/users", methods=["GET", "POST"])
@requires(ADMIN)
def users() -> Any:
    db = get_session()
    form = _new_user_form(request.form if request.method == "POST" else None)
    issued: tuple[str, str | None] | None = None
    if request.method == "POST" and form.validate():
        try:
            user, password = accounts.create_user(
                db,
                form.username.data,
                role=form.role.data,
                institution=form.institution.data,
                institutions=tuple(INSTITUTIONS),
                municipality=form.municipality.data or None,
                actor=g.user.username,
                full_name=form.full_name.data,
            )
        except accounts.AccountError as exc:
            form.form_errors.append(ACCOUNT_MESSAGES[exc.code])
        else:
            form = _new_user_form()
            issued = (user.username, password)
    everyone = db.scalars(select(User).order_by(User.username)).all()
    status = 400 if request.method == "POST" and issued is None else 200
    return render_template(
        "admin/users.html",
        users=everyone,
        form=form,
        issued=issued,
        institutions=INSTITUTIONS,
        actions=ConfirmForm(),
        tokens=_tokens(everyone),
    ), status


#: The largest id a row can have (an ``Integer`` key: 32 bits on PostgreSQL): a larger one in a URL
#: names no row, and looking it up would overflow the database's integer (a 500, not a 404).
MAX_ROW_ID = 2**31 - 1


@bp.post("/users/<int:user_id>/<action>")
@requires(ADMIN)
def user_action(user_id: int, action: str) -> Any:
    db = get_session()
    user = db.get(User, user_id) if user_id <= MAX_ROW_ID else None
    form = ConfirmForm()
    if user is None or action not in ("disable", "enable", "unlock", "reset") or not form.validate():
        abort(404 if user is None else 400)
    if user.id == g.user.id and action == "disable":
        abort(400)  # an administrator cannot lock themself out
    issued = None
    if action in ("disable", "enable"):
        accounts.set_active(db, user, action == "enable", actor=g.user.username)
    elif action == "unlock":
        accounts.unlock(db, user, actor=g.user.username)
    else:
        issued = (user.username, accounts.reset_password(db, user, actor=g.user.username))
    everyone = db.scalars(select(User).order_by(User.username)).all()
    return render_template(
        "admin/users.html",
        users=everyone,
        form=_new_user_form(),
        issued=issued,
        institutions=INSTITUTIONS,
        actions=ConfirmForm(),
        tokens=_tokens(everyone),
    )


def _tokens(everyone: Any) -> list[tuple[str, ApiToken]]:
    """Every API token with its user's name, newest first: the admin page lists and revokes them."""
    names = {u.id: u.username for u in everyone}
    return [(names.get(t.user_id, "?"), t) for t in reversed(accounts.api_tokens(get_session()))]


@bp.post("/tokens/<int:token_id>/revoke")
@requires(ADMIN)
def revoke_token(token_id: int) -> Any:
    db = get_session()
    token = db.get(ApiToken, token_id) if token_id <= MAX_ROW_ID else None
    if token is None:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    accounts.revoke_api_token(db, token, actor=g.user.username)
    return redirect(url_for("admin.users"))


#: Outcomes stored with a count ("erased 3", "12 rows"), and how the audit page words them.
COUNTED_OUTCOMES = (
    (re.compile(r"erased (\d+)"), lambda n: ngettext("%(num)s erased", "%(num)s erased", n)),
    (re.compile(r"(\d+) rows"), lambda n: ngettext("%(num)s row", "%(num)s rows", n)),
)


def audit_outcome(outcome: str) -> str:
    """An audit outcome in the interface language (an unknown one as stored)."""
    if outcome in AUDIT_OUTCOMES:
        return str(AUDIT_OUTCOMES[outcome])
    for pattern, words in COUNTED_OUTCOMES:
        match = pattern.fullmatch(outcome)
        if match:
            return str(words(int(match.group(1))))
    return outcome


def audit_row(event: AuditEvent) -> dict[str, Any]:
    """One line of the audit page: stored keys as words, identifiers kept as they are."""
    object_id = event.object_id or ""
    if event.object_type == "statistics" and object_id in TABLE_TITLES:
        object_id = str(TABLE_TITLES[object_id])
    return {
        "at": event.at,
        "actor": event.actor,
        "action": str(AUDIT_ACTIONS.get(event.action, event.action)),
        "object": str(AUDIT_OBJECTS.get(event.object_type or "", event.object_type or "")),
        "object_id": object_id,
        "identifier": object_id == (event.object_id or "") and bool(object_id),
        "outcome": audit_outcome(event.outcome),
    }


@bp.get("/audit")
@requires(ADMIN)
def audit_trail() -> str:
    events = get_session().scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)).all()
    return render_template("admin/audit.html", events=[audit_row(e) for e in events])


@bp.get("/audit.csv")
@requires(ADMIN)
def audit_export() -> Response:
    db = get_session()
    rows = [
        [e.id, e.at.isoformat(), e.actor or "", e.action, e.object_type or "", e.object_id or "", e.outcome]
        for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]
    audit.record(db, "export", actor=g.user.username, object_type="audit_events")
    header = ["id", "at", "actor", "action", "object_type", "object_id", "outcome"]
    return csv_response(header, rows, "audit-trail.csv")


@bp.post("/purge")
@requires(ADMIN)
def purge() -> Any:
    if not ConfirmForm().validate():
        abort(400)
    settings = current_app.config["SCREENING_SETTINGS"]
    ops.purge(get_session(), retention_days=settings.retention_days, actor=g.user.username)
    return redirect(url_for("admin.audit_trail"))


MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class StatisticsFilter(Form):
    class Meta(Form.Meta):
        csrf = False  # a GET form that changes nothing

    # Whole months: the statistics keep the month of a screening, never its day. A full date
    # (2026-11-15, as older links have it) stands for its month.
    start = MonthField(_l("From month"), validators=[Optional()], format=MONTH_FORMATS)
    end = MonthField(_l("To month"), validators=[Optional()], format=MONTH_FORMATS)
    institution = SelectField(_l("Institution"), validators=[Optional()])
    set_id = SelectField(_l("Indicator set"), validators=[Optional()])


AGE_GROUP_LABELS = {
    "under_18": _l("Under 18"),
    "18_22": "18–22",
    "23_25": "23–25",
    "26_30": "26–30",
    "31_35": "31–35",
    "36_40": "36–40",
    "over_40": _l("Over 40"),
    "unknown": _l("Unknown"),
}
TABLE_TITLES = {
    "by_month": _l("Screenings per month"),
    "by_institution": _l("Screenings per institution"),
    "by_municipality": _l("Screenings per municipality"),
    "by_set": _l("Screenings per indicator set"),
    "by_level": _l("Levels reached"),
    "by_referral": _l("Referrals per contact and priority"),
    "serious_by_sex": _l("Possible or presumed cases by sex"),
    "serious_by_age": _l("Possible or presumed cases by age group"),
    "serious_by_origin": _l("Possible or presumed cases by origin"),
    "serious_by_form": _l("Possible or presumed cases by suspected form of exploitation"),
}


#: The bar chart's geometry, in the SVG's own units (it scales to the page's width).
CHART_WIDTH = 600
CHART_BAR_SPACE = 500  # the longest bar; its value is written after it, on the same line
CHART_LABEL_CHARS = 56  # a label line at 14 units fits 600 even in Cyrillic capitals (0.7 em each)
CHART_LINE = 18
CHART_BAR = 20
CHART_GAP = 12
CHART_SUPPRESSED_SHARE = 0.08


def _label_lines(label: str, width: int = CHART_LABEL_CHARS, most: int = 2) -> list[str]:
    """A label wrapped at word boundaries into at most ``most`` lines (the last cut with "…")."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
    return [line if len(line) <= width else line[: width - 1].rstrip() + "…" for line in lines] or [""]


def _bar_width(drawn: int, peak: int, suppressed: bool) -> float:
    """A bar's length: its share of the longest, or a short fixed length for a suppressed count
    (which stands for a few cases, not none)."""
    if suppressed:
        return CHART_BAR_SPACE * CHART_SUPPRESSED_SHARE
    return round(CHART_BAR_SPACE * drawn / peak, 1) if peak else 0


@bp.app_template_global()
def chart_layout(rows: list[Any], names: dict[str, Any] | None) -> dict[str, Any]:
    """Where the statistics page draws each row of a table: the label on its own line(s) above
    the bar, so that no label runs into a value, and the value after the bar. A suppressed cell
    (its count shown as "<5") is drawn as a hatched bar labelled with that text, never as nothing.
    """
    peak = max((drawn for _key, _shown, drawn in rows), default=0)
    bars, y = [], 0
    for key, shown, drawn in rows:
        label = str(names.get(key, key) if names is not None else key)
        lines = _label_lines(label)
        suppressed = isinstance(shown, str)
        width = _bar_width(drawn, peak, suppressed)
        bar_y = y + CHART_LINE * len(lines) + 4
        bars.append(
            {
                "label": label,
                "lines": [(y + CHART_LINE * (i + 1) - 4, line) for i, line in enumerate(lines)],
                "bar_y": bar_y,
                "width": width,
                "value": shown,
                "value_x": width + 6,
                "value_y": bar_y + CHART_BAR - 5,
                "suppressed": suppressed,
            }
        )
        y = bar_y + CHART_BAR + CHART_GAP
    return {"bars": bars, "height": max(y, 1), "width": CHART_WIDTH}


def _filter_form() -> StatisticsFilter:
    form = StatisticsFilter(request.args)
    content = current_app.extensions["screening.content"]
    locale = current_locale()
    form.institution.choices = options([("", _l("All institutions")), *INSTITUTIONS.items()])
    titles = [(set_id, localise(content.get_set(set_id).title, locale)) for set_id in content.set_ids()]
    form.set_id.choices = options([("", _l("All sets")), *titles])
    return form


def _labels() -> dict[str, Any]:
    """Display names for every key a statistics table may hold, in the interface language."""
    from babel import Locale

    from screening.web.vocabulary import PRIORITY_LABELS, SEXES

    content = current_app.extensions["screening.content"]
    locale = current_locale()
    scoring = content.scoring[max(content.scoring)]
    directory = content.directory
    territories = Locale.parse(locale).territories
    contacts = {
        f"{key}:{priority}": f"{localise(contact.name, locale)} – {PRIORITY_LABELS[priority]}"
        for key, contact in directory.contacts.items()
        for priority in PRIORITY_LABELS
    }
    labels = {
        "by_institution": INSTITUTIONS,
        "by_municipality": {k: localise(m.name, locale) for k, m in directory.municipalities.items()},
        "by_set": {s: localise(content.get_set(s).title, locale) for s in content.set_ids()},
        "by_level": {
            str(level): f"{level} – {localise(scoring.level_rule(level).label, locale)}" for level in range(4)
        },
        "by_referral": contacts,
        "serious_by_sex": {**SEXES, "unknown": _l("Unknown")},
        "serious_by_age": AGE_GROUP_LABELS,
        "serious_by_origin": {
            **{k: v for k, v in territories.items()},
            "XK": territories.get("XK", "Kosovo"),
            "unknown": _l("Unknown"),
        },
        "serious_by_form": {k: localise(v, locale) for k, v in scoring.form_names.items()},
    }
    # A value the statistics did not know (no municipality chosen, an erased profile) is "unknown".
    named: dict[str, Any] = {table: {statistics.UNKNOWN: _l("Unknown"), **names} for table, names in labels.items()}
    named["by_month"] = MonthNames()
    return named


class MonthNames(dict[str, str]):
    """Names for the ``YYYY-MM`` keys of the by-month table, in the interface language
    ("dhjetor 2026", "децембар 2026"); any month, so it is looked up rather than listed."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        try:
            year, month = (int(part) for part in key.split("-"))
            return format_date(dt.date(year, month, 1), "LLLL yyyy")
        except ValueError:
            return default


def _filters(form: StatisticsFilter) -> statistics_db.Filters:
    return statistics_db.Filters.of(form.start.data, form.end.data, form.institution.data, form.set_id.data)


def _statistics(form: StatisticsFilter) -> tuple[dict[str, Any], int | str]:
    """The page's tables and total with small cells hidden, and any cell a total would give back."""
    found = statistics_db.counts(get_session(), _filters(form))
    threshold = current_app.config["SCREENING_SETTINGS"].small_cell_threshold
    content = current_app.extensions["screening.content"]
    return statistics.dashboard(found, threshold, content.set_ids())


@bp.get("/statistics")
@requires(SUPERVISOR, ADMIN)
def statistics_page() -> Any:
    """Anonymous counts of completed screenings; never an individual's answers or profile."""
    form = _filter_form()
    if not form.validate():
        return render_template(
            "admin/statistics.html",
            form=form,
            tables={},
            total=0,
            labels={},
            titles=TABLE_TITLES,
            retention_days=0,
            purge=ConfirmForm(),
        ), 400
    tables, total = _statistics(form)
    threshold = current_app.config["SCREENING_SETTINGS"].small_cell_threshold
    return render_template(
        "admin/statistics.html",
        form=form,
        tables=tables,
        total=total,
        labels=_labels(),
        titles=TABLE_TITLES,
        threshold=threshold,
        query=request.query_string.decode(),
        retention_days=current_app.config["SCREENING_SETTINGS"].retention_days,
        purge=ConfirmForm(),
    )


@bp.get("/statistics/<table>.csv")
@requires(SUPERVISOR, ADMIN)
def statistics_csv(table: str) -> Response:
    form = _filter_form()
    if table not in TABLE_TITLES or not form.validate():
        abort(404 if table not in TABLE_TITLES else 400)
    tables, _total = _statistics(form)
    labels = _labels().get(table, {})
    rows = [[key, str(labels.get(key, key)), shown] for key, shown, _drawn in tables[table]]
    audit.record(get_session(), "export", actor=g.user.username, object_type="statistics", object_id=table)
    return csv_response(["key", "label", "count"], rows, f"{table}.csv")


@bp.get("/records.csv")
@requires(ADMIN)
def records_export() -> Response:
    """Pseudonymised record-level export, streamed; field names follow IOM's HTCDS where they overlap."""
    form = _filter_form()
    if not form.validate():
        abort(400)
    db, filters = get_session(), _filters(form)
    count = statistics_db.record_count(db, filters)
    audit.record(db, "export", actor=g.user.username, object_type="records", outcome=f"{count} rows")
    sessions, secret = current_app.extensions["screening.sessionmaker"], current_app.config["SECRET_KEY"]
    lines = _records(sessions, secret, filters)
    return csv_response(statistics.RECORD_COLUMNS, lines, "screenings-pseudonymised.csv", stream=True)


def _records(sessions: Any, secret: str, filters: statistics_db.Filters) -> Iterator[list[str]]:
    """The export's lines, read while they are sent, on a session of their own: it ends with the
    download (or when the client goes away: the server closes the generator), not with the view."""
    with sessions() as db:
        for record_id, row in statistics_db.records(db, secret, filters):
            line = statistics.record(row, record_id)
            yield [line[column] for column in statistics.RECORD_COLUMNS]

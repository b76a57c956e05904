"""Administration: users, the audit trail, retention; aggregate statistics for supervisors."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from screening import accounts, audit
from screening import operations as ops
from screening.core.languages import localise
from screening.db import get_session
from screening.i18n import current_locale
from screening.models import COMPLETED, AuditEvent, Screening, User
from screening.roles import ADMIN, SUPERVISOR
from screening.web.access import requires
from screening.web.forms import ConfirmForm, options
from screening.web.templating import ROLE_LABELS
from screening.web.vocabulary import INSTITUTIONS

bp = Blueprint("admin", __name__, url_prefix="/admin")

ACCOUNT_MESSAGES = {
    "bad_username": _l("Use 3 to 60 lower-case letters, digits, dots, dashes or underscores."),
    "bad_role": _l("Choose a role."),
    "bad_institution": _l("Choose an institution."),
    "username_taken": _l("This user name is taken."),
}
AUDIT_PAGE = 200


class NewUserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=60)])
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
            )
        except accounts.AccountError as exc:
            form.form_errors.append(ACCOUNT_MESSAGES[exc.code])
        else:
            form = _new_user_form()
            issued = (user.username, password)
    everyone = db.scalars(select(User).order_by(User.username)).all()
    status = 400 if request.method == "POST" and issued is None else 200
    return render_template(
        "admin/users.html", users=everyone, form=form, issued=issued, institutions=INSTITUTIONS, actions=ConfirmForm()
    ), status


@bp.post("/users/<int:user_id>/<action>")
@requires(ADMIN)
def user_action(user_id: int, action: str) -> Any:
    db = get_session()
    user = db.get(User, user_id)
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
    )


@bp.get("/audit")
@requires(ADMIN)
def audit_trail() -> str:
    events = get_session().scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)).all()
    return render_template("admin/audit.html", events=events)


@bp.get("/audit.csv")
@requires(ADMIN)
def audit_export() -> Response:
    db = get_session()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "at", "actor", "action", "object_type", "object_id", "outcome"])
    for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        writer.writerow(
            [e.id, e.at.isoformat(), e.actor or "", e.action, e.object_type or "", e.object_id or "", e.outcome]
        )
    audit.record(db, "export", actor=g.user.username, object_type="audit_events")
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


@bp.post("/purge")
@requires(ADMIN)
def purge() -> Any:
    if not ConfirmForm().validate():
        abort(400)
    settings = current_app.config["SCREENING_SETTINGS"]
    ops.purge(get_session(), retention_days=settings.retention_days, actor=g.user.username)
    return redirect(url_for("admin.audit_trail"))


@bp.get("/statistics")
@requires(SUPERVISOR, ADMIN)
def statistics() -> str:
    """Anonymous counts of completed screenings; never an individual's answers or profile."""
    completed = get_session().scalars(select(Screening).where(Screening.status == COMPLETED)).all()
    counts = {
        "total": len(completed),
        "by_level": Counter((s.result or {}).get("level") for s in completed),
        "by_set": Counter(s.set_id for s in completed),
        "children": sum(1 for s in completed if (s.result or {}).get("child")),
        "by_month": Counter(s.completed_at.strftime("%Y-%m") for s in completed if s.completed_at),
        "by_institution": Counter(s.institution for s in completed),
        "by_contact": Counter(r["contact"] for s in completed for r in s.referrals or []),
    }
    directory = current_app.extensions["screening.content"].directory
    contacts = {key: localise(contact.name, current_locale()) for key, contact in directory.contacts.items()}
    retention_days = current_app.config["SCREENING_SETTINGS"].retention_days
    return render_template(
        "admin/statistics.html",
        counts=counts,
        institutions=INSTITUTIONS,
        contacts=contacts,
        retention_days=retention_days,
        purge=ConfirmForm(),
    )

"""Log in, log out, change password."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from screening import accounts, address_limits
from screening.db import get_session
from screening.passwords import MAX_LENGTH, WeakPasswordError
from screening.roles import ADMIN, ROLES, SCREENER, SUPERVISOR, TRAINER
from screening.web.access import public, requires, safe_next
from screening.web.forms import FULL_NAME_MESSAGE, Form, full_name_field

bp = Blueprint("auth", __name__)

#: Where each role lands after logging in.
HOME = {
    SCREENER: "checklist.start",
    SUPERVISOR: "admin.statistics_page",
    TRAINER: "training.sessions",
    ADMIN: "admin.users",
}

POLICY_MESSAGES = {
    "too_short": _l("Use at least 12 characters."),
    "too_long": _l("Use at most 128 characters."),
    "common": _l("This password is too common or contains your user name. Choose another."),
    "guessable": _l("This password is too easy to guess. A few unrelated words make a strong password."),
    "wrong_current_password": _l("Your current password is not right."),
}


class LoginForm(Form):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    confirm = PasswordField(
        _l("New password again"), validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))]
    )


class FullNameForm(Form):
    full_name = full_name_field()


def home_url() -> str:
    return url_for(HOME[g.user.role]) if g.get("user") else url_for("auth.login")


#: One answer for every refused login, so that it never tells whether the user name exists.
LOGIN_REFUSED = _l(
    "The user name or password is not right, or the account is locked after repeated failed attempts. "
    "Wait a few minutes and try again; an administrator can unlock it."
)


def _expiry_message() -> str | None:
    """Why the user is on the login page again, when their session ended by itself."""
    reason = request.args.get("expired")
    if reason == "lifetime":
        hours = current_app.config["SCREENING_SETTINGS"].session_absolute_hours
        return ngettext(
            "You were logged out because a login lasts at most %(num)s hour. Log in again.",
            "You were logged out because a login lasts at most %(num)s hours. Log in again.",
            hours,
        )
    return str(_l("You were logged out after a time without activity.")) if reason else None


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        settings = current_app.config["SCREENING_SETTINGS"]
        outcome = accounts.authenticate(
            get_session(),
            form.username.data,
            form.password.data,
            lock_minutes=settings.lockout_minutes,
            address_key=address_limits.address_key(str(current_app.secret_key), request.remote_addr or ""),
            address_limit=settings.login_failures_per_address,
        )
        if outcome.status == "ok" and outcome.user is not None:
            locale = session.get("locale")
            session.clear()  # nothing from before the login survives (session fixation)
            session["sid"] = accounts.open_session(get_session(), outcome.user)
            if locale:
                session["locale"] = locale
            g.user = outcome.user
            return redirect(safe_next(request.args.get("next")) or home_url())
        if outcome.status == "address_limited":  # depends on the address only, so it may say more
            minutes = max(1, (outcome.wait_seconds + 59) // 60)
            form.form_errors.append(
                ngettext(
                    "Too many attempts. Wait %(num)s minute and try again.",
                    "Too many attempts. Wait %(num)s minutes and try again.",
                    minutes,
                )
            )
            return render_template("auth/login.html", form=form, message=None), 429
        form.form_errors.append(LOGIN_REFUSED)
        return render_template("auth/login.html", form=form, message=None), 401
    return render_template("auth/login.html", form=form, message=_expiry_message()), 400 if form.errors else 200


@bp.post("/logout")
@requires(*ROLES)
def logout() -> BaseResponse:
    accounts.close_session(get_session(), session.get("sid", ""), g.user)
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(*ROLES)
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                get_session(),
                accounts.user_by_id(get_session(), g.user.id),
                form.current.data,
                form.new.data,
                keep_session=session.get("sid"),
            )
        except (WeakPasswordError, accounts.AccountError) as exc:
            form.form_errors.append(POLICY_MESSAGES[exc.code])
        else:
            return redirect(home_url())
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/account/name", methods=["GET", "POST"])
@requires(*ROLES)
def full_name() -> Any:
    """The name the user prints as the referring officer on slips (empty: the user name is printed)."""
    form = FullNameForm(data={"full_name": g.user.full_name or ""})
    if form.validate_on_submit():
        try:
            account = accounts.user_by_id(get_session(), g.user.id)
            accounts.set_full_name(get_session(), account, form.full_name.data, actor=g.user.username)
        except accounts.AccountError:
            form.full_name.errors = [FULL_NAME_MESSAGE]
        else:
            return redirect(url_for("auth.full_name", saved=1))
    status = 400 if form.errors else 200
    return render_template("auth/full_name.html", form=form, saved=request.args.get("saved") == "1"), status


@bp.get("/")
@public
def index() -> BaseResponse:
    return redirect(home_url())

"""CLI commands that need the app or the database (imported by ``screening.cli``; Flask is
imported only when one of them runs)."""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path
from typing import Any

import click


def _app() -> Any:
    from screening.app import create_app
    from screening.core.errors import ContentError
    from screening.db import DatabaseError
    from screening.i18n import CatalogError
    from screening.settings import SettingsError

    try:
        return create_app()
    except ContentError as exc:
        click.echo(exc.report(), err=True)
    except (SettingsError, CatalogError, DatabaseError) as exc:
        click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


def _upgrade(app: Any) -> None:
    from sqlalchemy.exc import OperationalError

    from screening.db import upgrade

    try:
        upgrade(app.extensions["screening.engine"])
    except OperationalError as exc:
        click.echo(f"Error: cannot reach the database: {exc.orig}", err=True)
        sys.exit(1)


def _session(app: Any) -> Any:
    return app.extensions["screening.sessionmaker"]()


def _existing_user(db: Any, username: str) -> Any:
    """The user with this name; or the error on stderr and exit 2."""
    from screening import accounts

    user = accounts.find_user(db, username)
    if user is None:
        click.echo(f"Error: no user {username!r}", err=True)
        sys.exit(2)
    return user


def _minute(moment: Any) -> str:
    """A stored time to the minute, in UTC ('' for none; SQLite gives naive UTC times)."""
    import datetime as dt

    if moment is None:
        return ""
    return (moment.astimezone(dt.UTC) if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


def first_run_accounts(app: Any) -> list[tuple[str, str, str]]:
    """On an empty database in development, create an administrator and a screener.

    Returns (username, role, one-time password) for each, to print once. Refused outside
    development: a production database gets its first user through ``screening users create``.
    """
    from sqlalchemy import func, select

    from screening import accounts
    from screening.models import User
    from screening.roles import ADMIN, SCREENER
    from screening.web.vocabulary import INSTITUTIONS

    if app.config["SCREENING_SETTINGS"].env != "development":
        return []
    with _session(app) as db:
        if db.scalar(select(func.count()).select_from(User)):
            return []
        made = []
        for username, role in (("admin", ADMIN), ("screener", SCREENER)):
            _user, password = accounts.create_user(
                db, username, role=role, institution="police", institutions=tuple(INSTITUTIONS), actor="first-run"
            )
            made.append((username, role, password or ""))
        return made


def _bind(app: Any, host: str, port: int) -> Any:
    """The development server, bound to its port; exit 1 with one clear message when it cannot be."""
    from werkzeug.serving import make_server

    try:
        return make_server(host, port, app, threaded=True)
    except SystemExit:  # werkzeug has said why (e.g. "Port 5000 is in use by another program")
        click.echo("Choose another port: make run PORT=8080, or screening run --port 8080.", err=True)
        sys.exit(1)


def serving_lines(host: str, port: int) -> list[str]:
    """Where to open the app; with ``--host 0.0.0.0`` also the address other devices on the network use."""
    lines = []
    if host in ("0.0.0.0", "::"):
        from werkzeug.serving import get_interface_ip

        lines.append(f"Open http://127.0.0.1:{port}/ in a browser on this computer.")
        lines.append(f"Tablets on this network open http://{get_interface_ip(socket.AF_INET)}:{port}/")
    else:
        lines.append(f"Open http://{host}:{port}/ in a browser.")
    lines.append("Stop with Ctrl+C. This is the development server: for a deployment see the README.")
    return lines


def account_box(made: list[tuple[str, str, str]], program: str) -> str:
    """The accounts a first run created, with their one-time passwords, in a frame that stands out."""
    lines = [
        "First run: these accounts were created.",
        "Each one-time password works until you choose your own at first login.",
        "",
        *(f"  {role:<9} user name: {username:<9} one-time password: {password}" for username, role, password in made),
        "",
        "They are shown only now. Lost one? Make a new one-time password with:",
        f"  {program} users reset-password NAME",
    ]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line:<{width}} |" for line in lines), rule])


def reset_hint(program: str) -> str:
    return f"Lost a password? Make a new one-time password with: {program} users reset-password NAME"


def _program() -> str:
    """This command as the user can type it again: ``screening`` when that is on the PATH, else its
    path (``.venv/bin/screening`` under ``make run``, relative to the current folder when inside it)."""
    path = Path(sys.argv[0]).absolute()
    if path.name != "screening":
        return "screening"
    on_path = shutil.which("screening")
    if on_path and Path(on_path).absolute() == path:
        return "screening"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def register(group: click.Group) -> None:
    @group.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema (Alembic migrations)."""
        _upgrade(_app())
        click.echo("Database is up to date.")

    @group.command()
    @click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0: reachable from other devices.")
    @click.option("--port", default=5000, show_default=True, type=int, envvar="PORT", help="Also read from PORT.")
    def run(host: str, port: int) -> None:
        """Upgrade the database, then serve the app (development server)."""
        app = _app()
        _upgrade(app)
        server = _bind(app, host, port)
        made = first_run_accounts(app)
        click.echo("")
        for line in serving_lines(host, server.server_port):
            click.echo(line)
        click.echo("")
        # The accounts come last, so the server's request log is all that can follow them.
        click.echo(account_box(made, _program()) if made else reset_hint(_program()))
        click.echo("")
        server.serve_forever()

    @group.command()
    @click.option(
        "--older-than-days",
        type=click.IntRange(min=1),  # 0 or less would erase today's screenings, drafts in progress too
        default=None,
        help="At least 1. Default: the retention_days setting.",
    )
    def purge(older_than_days: int | None) -> None:
        """Erase answers, profile and case reference of screenings past the retention period."""
        from screening import operations

        app = _app()
        days = older_than_days if older_than_days is not None else app.config["SCREENING_SETTINGS"].retention_days
        with _session(app) as db:
            count = operations.purge(db, retention_days=days, actor="cli")
        click.echo(f"Erased {count} screening(s) older than {days} days.")

    @group.command("grant-app-role")
    @click.argument("role")
    def grant_app_role(role: str) -> None:
        """PostgreSQL: let ROLE (not the tables' owner) run the app; it may only append to the audit trail.

        Run as the owner after every init-db; then point database_url at ROLE.
        """
        from screening.app_role import AppRoleError
        from screening.app_role import grant_app_role as grant

        engine = _app().extensions["screening.engine"]
        try:
            statements = grant(engine, role)
        except AppRoleError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        finally:
            engine.dispose()
        for statement in statements:
            click.echo(f"{statement};")
        click.echo(f"{role} may now run the app; audit_events: SELECT and INSERT only.")

    @group.group()
    def users() -> None:
        """Manage user accounts."""

    @users.command("create")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice(["screener", "supervisor", "trainer", "admin"]))
    @click.option("--institution", required=True)
    @click.option("--municipality", default=None)
    @click.option("--full-name", default=None, help="The name printed as the referring officer on slips.")
    def users_create(
        username: str, role: str, institution: str, municipality: str | None, full_name: str | None
    ) -> None:
        """Create a user and print a one-time password."""
        from screening import accounts
        from screening.web.vocabulary import INSTITUTIONS

        app = _app()
        with _session(app) as db:
            try:
                user, password = accounts.create_user(
                    db,
                    username,
                    role=role,
                    institution=institution,
                    institutions=tuple(INSTITUTIONS),
                    municipality=municipality,
                    actor="cli",
                    full_name=full_name,
                )
            except accounts.AccountError as exc:
                hint = f" (institutions: {', '.join(INSTITUTIONS)})" if exc.code == "bad_institution" else ""
                click.echo(f"Error: {exc.code.replace('_', ' ')}{hint}", err=True)
                sys.exit(2)
            click.echo(f"Created {user.username} ({role}). One-time password: {password}")

    @users.command("list")
    def users_list() -> None:
        """List users with role, institution and status."""
        from sqlalchemy import select

        from screening.models import User

        with _session(_app()) as db:
            for user in db.scalars(select(User).order_by(User.username)):
                status = "active" if user.active else "disabled"
                click.echo(f"{user.username:<24} {user.role:<10} {user.institution:<20} {status}")

    def _change(username: str, change: str) -> None:
        from screening import accounts

        with _session(_app()) as db:
            user = _existing_user(db, username)
            if change == "disable":
                accounts.set_active(db, user, False, actor="cli")
                click.echo(f"Disabled {user.username}.")
            elif change == "unlock":
                accounts.unlock(db, user, actor="cli")
                click.echo(f"Unlocked {user.username}.")
            else:
                password = accounts.reset_password(db, user, actor="cli")
                click.echo(f"New one-time password for {user.username}: {password}")

    @users.command("set-name")
    @click.argument("username")
    @click.argument("full_name")
    def users_set_name(username: str, full_name: str) -> None:
        """Set the name a user prints on referral slips ('' prints the user name instead)."""
        from screening import accounts

        with _session(_app()) as db:
            user = _existing_user(db, username)
            try:
                accounts.set_full_name(db, user, full_name, actor="cli")
            except accounts.AccountError:
                click.echo("Error: a name has at most 120 printable characters", err=True)
                sys.exit(2)
            click.echo(f"{user.username} prints as {user.full_name or user.username!r} on slips.")

    @users.command("token")
    @click.argument("username")
    def users_token(username: str) -> None:
        """Issue a JSON API token for a user (shown once; only its hash is stored)."""
        from screening import accounts

        with _session(_app()) as db:
            user = _existing_user(db, username)
            click.echo(accounts.issue_api_token(db, user, actor="cli"))

    @users.command("tokens")
    @click.argument("username")
    def users_tokens(username: str) -> None:
        """List a user's API tokens: id, prefix, created, last used, revoked."""
        from screening import accounts

        with _session(_app()) as db:
            user = _existing_user(db, username)
            tokens = accounts.api_tokens(db, user)
            if not tokens:
                click.echo(f"{user.username} has no API tokens.")
                return
            click.echo(f"{'id':>6}  {'prefix':<10}  {'created (UTC)':<16}  {'last used':<16}  revoked")
            for token in tokens:
                click.echo(
                    f"{token.id:>6}  {(token.prefix or '-'):<10}  {_minute(token.created_at):<16}  "
                    f"{_minute(token.last_used_at) or 'never':<16}  {_minute(token.revoked_at) or 'no'}"
                )

    @users.command("revoke-token")
    @click.argument("username")
    @click.argument("token_id", type=int, required=False)
    @click.option("--all", "revoke_all", is_flag=True, help="Revoke every live token of the user.")
    def users_revoke_token(username: str, token_id: int | None, revoke_all: bool) -> None:
        """Revoke one API token of a user (its id from 'users tokens'), or all of them with --all."""
        from screening import accounts

        if (token_id is None) == (not revoke_all):
            click.echo("Error: give a token id or --all (not both)", err=True)
            sys.exit(2)
        with _session(_app()) as db:
            user = _existing_user(db, username)
            if revoke_all:
                count = accounts.revoke_api_tokens(db, user, actor="cli")
                click.echo(f"Revoked {count} API token(s) of {user.username}.")
                return
            token = next((t for t in accounts.api_tokens(db, user) if t.id == token_id), None)
            if token is None:
                click.echo(f"Error: {user.username} has no API token {token_id}", err=True)
                sys.exit(2)
            if accounts.revoke_api_token(db, token, actor="cli"):
                click.echo(f"Revoked API token {token_id} of {user.username}.")
            else:
                click.echo(f"API token {token_id} of {user.username} was already revoked.")

    @users.command("disable")
    @click.argument("username")
    def users_disable(username: str) -> None:
        """Disable a user, end their sessions and revoke their API tokens."""
        _change(username, "disable")

    @users.command("unlock")
    @click.argument("username")
    def users_unlock(username: str) -> None:
        """Unlock an account locked after failed logins."""
        _change(username, "unlock")

    @users.command("reset-password")
    @click.argument("username")
    def users_reset(username: str) -> None:
        """Issue a new one-time password and revoke the user's API tokens (they choose a password at next login)."""
        _change(username, "reset")

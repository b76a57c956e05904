"""CLI commands that need the web app (imported lazily by ``screening.cli``)."""

from __future__ import annotations

import sys

import click


def _app():  # type: ignore[no-untyped-def]
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


def _upgrade(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError

    from screening.db import upgrade

    try:
        upgrade(app.extensions["screening.engine"])
    except OperationalError as exc:
        click.echo(f"Error: cannot reach the database: {exc.orig}", err=True)
        sys.exit(1)


def register(group: click.Group) -> None:
    @group.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema (Alembic migrations)."""
        _upgrade(_app())
        click.echo("Database is up to date.")

    @group.command()
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    def run(host: str, port: int) -> None:
        """Upgrade the database, then serve the app (development server)."""
        app = _app()
        _upgrade(app)
        click.echo(f"Open http://{host}:{port}/ in a browser.")
        app.run(host=host, port=port, debug=False)

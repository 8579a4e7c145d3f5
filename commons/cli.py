"""The ``commons`` command (also available as ``flask --app commons ...``).

Each area defines its commands in its own ``cli.py`` (``commons/audit/cli.py``...);
:func:`register_cli` adds them. ``init`` and ``demo`` are defined here.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from commons.audit.cli import audit_group
from commons.auth.cli import users_group
from commons.calls.cli import call_group
from commons.config import PROJECT_ROOT
from commons.documents.cli import pacts_group
from commons.impact.cli import impact_group
from commons.imports.cli import import_group
from commons.lifecycle.cli import workflow_group
from commons.monitoring.cli import tick_command
from commons.notifications.cli import notifications_group
from commons.transactions import command
from commons.uploads.cli import uploads_group


def alembic_config(url: str | None = None):
    """The Alembic configuration of this project, pointed at the app's database."""
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option(
        "sqlalchemy.url", (url or current_app.config["SQLALCHEMY_DATABASE_URI"]).replace("%", "%%")
    )
    return cfg


def upgrade_database(url: str | None = None, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@click.command("init")
@with_appcontext
def init_command():
    """Create the database schema, or upgrade it to the latest version."""
    upgrade_database()
    click.echo(f"Database ready: {_safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command("demo")
@with_appcontext
@command
def demo_command():
    """Load the demo city (idempotent) and print the demo logins."""
    # One transaction: the whole city is committed, or (on a failure) none of it.
    from commons.demo import demo_logins, load_demo

    created = load_demo()
    if any(created.values()):
        click.echo("Demo city loaded: " + ", ".join(f"{v} {k}" for k, v in created.items()))
    else:
        click.echo("Demo city already loaded; nothing changed.")
    click.echo("\nDemo logins (demo data only, do not use in production):")
    logins = demo_logins()
    widths = [max(len(login[i]) for login in logins) for i in (0, 1)]
    for role, email, password in logins:
        click.echo(f"  {role:<{widths[0]}}  {email:<{widths[1]}}  {password}")


def register_cli(app: Flask) -> None:
    """Add every area's commands to the app's ``flask``/``commons`` command."""
    app.cli.add_command(init_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(users_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(tick_command)
    app.cli.add_command(workflow_group)
    app.cli.add_command(pacts_group)
    app.cli.add_command(import_group)
    app.cli.add_command(impact_group)
    app.cli.add_command(notifications_group)
    app.cli.add_command(uploads_group)
    app.cli.add_command(call_group)


def _create_app():
    from commons import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    help="Commons: the registry of collaboration pacts on urban commons.",
)

"""The ``commons`` command (also available as ``flask --app commons ...``)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from commons.config import PROJECT_ROOT


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
def demo_command():
    """Load the demo city (idempotent) and print the demo logins."""
    from commons.demo import demo_logins, load_demo

    created = load_demo()
    if any(created.values()):
        click.echo("Demo city loaded: " + ", ".join(f"{v} {k}" for k, v in created.items()))
    else:
        click.echo("Demo city already loaded; nothing changed.")
    click.echo("\nDemo logins (demo data only, do not use in production):")
    for role, email, password in demo_logins():
        click.echo(f"  {role:<16} {email:<32} {password}")


users_group = click.Group("users", help="Manage user accounts.")


@users_group.command("create")
@click.option("--email", required=True, help="E-mail address, used to log in.")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["citizen", "officer", "legal", "auditor", "admin"]),
    help="Role; repeat for several.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting.",
)
@with_appcontext
def users_create(email, full_name, roles, password_stdin):
    """Create an account with the given roles."""
    from commons.auth.operations import create_user
    from commons.errors import DomainError
    from commons.extensions import db

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email=email, full_name=full_name, password=password, roles=roles)
    except DomainError as error:
        db.session.rollback()
        field = f" ({error.field})" if error.field else ""
        raise click.ClickException(f"{error.message}{field}") from None
    db.session.commit()
    click.echo(f"Created user {user.id} <{user.email}> with roles {', '.join(sorted(roles))}.")


@users_group.command("list")
@with_appcontext
def users_list():
    """List accounts with their roles."""
    from sqlalchemy import select

    from commons.auth.models import User
    from commons.extensions import db

    for user in db.session.scalars(select(User).order_by(User.id)):
        state = "" if user.active else " (deactivated)"
        click.echo(f"{user.id:>5}  {user.email:<40} {','.join(sorted(user.roles))}{state}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(users_group)


def _create_app():
    from commons import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    help="Commons: the registry of collaboration pacts on urban commons.",
)

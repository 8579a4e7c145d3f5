"""The ``commons users`` commands: user accounts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from commons.transactions import command

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
@command
def users_create(email, full_name, roles, password_stdin):
    """Create an account with the given roles."""
    from commons.auth.operations import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create_user(email=email, full_name=full_name, password=password, roles=roles)
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

"""The ``commons workflow`` commands: regulation profiles and their lifecycle."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

workflow_group = click.Group("workflow", help="Regulation profiles and their lifecycle.")


@workflow_group.command("diagram")
@click.option("--profile", "profile_name", help="Profile name (default: the configured one).")
@with_appcontext
def workflow_diagram(profile_name):
    """Print the lifecycle as a Mermaid stateDiagram-v2."""
    import workflows
    from workflows.diagram import mermaid

    try:
        profile = workflows.get_profile(profile_name or current_app.config["PROFILE"])
    except workflows.ProfileError as error:
        raise click.ClickException(str(error)) from None
    click.echo(mermaid(profile))


@workflow_group.command("check")
@with_appcontext
def workflow_check():
    """Validate every profile (the app also does this at start-up)."""
    import workflows

    for name in workflows.profile_names():
        profile = workflows.get_profile(name)
        click.echo(
            f"{name}: {len(profile.states)} states, {len(profile.transitions)} transitions: OK"
        )

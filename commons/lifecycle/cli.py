"""The ``commons workflow`` commands: regulation profiles and their lifecycle."""

from __future__ import annotations

from pathlib import Path

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
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def workflow_check(paths):
    """Validate profiles: the TOML files (or folders of them) given, else every loaded one.

    A profile naming a guard, effect, condition, requirement, role, state, tag or message that
    does not exist is refused, with the file, the transition or key and the known names.
    """
    import workflows
    from workflows.engine import check_profile

    if paths:
        files = [f for p in paths for f in (sorted(p.glob("*.toml")) if p.is_dir() else [p])]
        refused = 0
        for file in files:
            try:
                profile = check_profile(file)
            except workflows.ProfileError as error:
                refused += 1
                click.echo(f"{file.parent}/{error}", err=True)
                continue
            click.echo(
                f"{profile.name}: {len(profile.states)} states, "
                f"{len(profile.transitions)} transitions: OK"
            )
        if refused:
            raise click.ClickException(f"{refused} of {len(files)} profiles refused")
        return
    for name in workflows.profile_names():
        profile = workflows.get_profile(name)
        click.echo(
            f"{name}: {len(profile.states)} states, {len(profile.transitions)} transitions: OK"
        )

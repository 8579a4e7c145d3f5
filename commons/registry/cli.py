"""The ``commons import`` commands: bring existing data into the registry."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from commons.transactions import command, discard_step

import_group = click.Group("import", help="Bring existing data into the registry.")


@import_group.command("register")
@click.argument("path", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--mapping",
    "mapping_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="TOML file mapping the file's columns and status words (docs/import.md).",
)
@click.option("--dry-run", is_flag=True, help="Check, show what would be created, create nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows and report the others.")
@with_appcontext
@command
def import_register(path, mapping_path, dry_run, skip_invalid):
    """Import a city's register of pacts: commons, groups and proposals in their states.

    All-or-nothing: any invalid row stops the import (exit 1) unless --skip-invalid.
    Rows imported before (protocol number IMP/<id>) are left unchanged.
    """
    from pathlib import Path

    import workflows
    from commons.registry import importer

    profile = workflows.get_profile(current_app.config["PROFILE"])
    try:
        mapping = importer.load_mapping(mapping_path, profile.states)
        register = importer.read_register(path, mapping)
    except importer.ImportProblem as problem:
        raise click.ClickException(str(problem)) from None
    plan = importer.plan_import(register, mapping, profile, importer.existing_keys())
    name = Path(path).name
    click.echo(
        f"{name}: {len(register.records)} rows ({plan.blank_lines} blank lines ignored): "
        f"{len(plan.rows)} to import, {len(plan.already_imported)} already imported, "
        f"{len(plan.invalid_rows)} invalid."
    )
    for row, source_id in plan.already_imported:
        click.echo(f"  row {row}: id {source_id} already imported (IMP/{source_id}), unchanged")
    for error in plan.errors:
        click.echo(f"  ERROR {error}", err=True)
    if plan.errors and not skip_invalid and not dry_run:
        click.echo(
            f"Nothing imported: {len(plan.errors)} error(s) in {len(plan.invalid_rows)} row(s). "
            "Fix the file or the mapping, or use --skip-invalid to import the valid rows.",
            err=True,
        )
        sys.exit(1)

    import contextlib

    show_bar = len(plan.rows) >= 50 and sys.stderr.isatty()
    bar_context = (
        click.progressbar(length=len(plan.rows), label="Importing", file=sys.stderr)
        if show_bar
        else contextlib.nullcontext()
    )
    with bar_context as bar:  # a failure rolls everything back (the command's transaction)
        counts = importer.apply_plan(
            plan,
            mapping,
            profile,
            filename=name,
            on_row=(lambda: bar.update(1)) if bar is not None else None,
        )
    verb = "would import" if dry_run else "imported"
    for row in plan.rows:
        click.echo(f"  row {row.row}: id {row.source_id} {verb} as {row.state}: {row.title!r}")
        click.echo(f"      {row.outcome}")
    summary = (
        f"{counts.proposals_created} proposals, {counts.commons_created} commons "
        f"({counts.commons_reused} reused), {counts.groups_created} groups "
        f"({counts.groups_reused} reused)"
    )
    skipped = f"; {len(plan.invalid_rows)} invalid row(s) skipped" if plan.errors else ""
    if dry_run:
        discard_step()  # a dry run keeps nothing of what it made
        click.echo(f"Dry run, nothing created. Would create {summary}{skipped}.")
        if plan.errors and not skip_invalid:
            click.echo("A real run would refuse the file: fix the errors or use --skip-invalid.")
            sys.exit(1)
        return
    click.echo(f"Created {summary}{skipped}.")

"""The ``commons import`` commands: bring a city's register in, or take an import back."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from commons.transactions import command, discard_step

import_group = click.Group("import", help="Bring existing data into the registry.")


def _show_plan_notes(plan) -> None:
    if plan.unmapped_words:
        click.echo("Status words not in the mapping (rows):")
        for word, count in sorted(plan.unmapped_words.items(), key=lambda i: (-i[1], i[0])):
            click.echo(f"  {word!r}: {count}")
    if plan.near_duplicates:
        click.echo("Possible duplicate commons (merge them with [commons_merge] in the mapping):")
        for first, second in plan.near_duplicates:
            click.echo(f"  {first!r} ~ {second!r}")


@import_group.command("register")
@click.argument("path", metavar="FILE.csv|.xlsx|.ods", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--mapping",
    "mapping_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="TOML file mapping the file's columns and status words (docs/import.md).",
)
@click.option("--sheet", help="The sheet of an XLSX or ODS file to read (default: the first).")
@click.option("--dry-run", is_flag=True, help="Check, show what would be created, create nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows and report the others.")
@with_appcontext
@command
def import_register(path, mapping_path, sheet, dry_run, skip_invalid):
    """Import a city's register of pacts: commons, groups and proposals in their states.

    All-or-nothing: any invalid row stops the import (exit 1) unless --skip-invalid.
    Rows imported before (protocol number IMP/<id>) are left unchanged.
    """
    import workflows
    from commons.imports import mapping as mapping_module
    from commons.imports.operations import apply_plan
    from commons.imports.planning import existing_keys, plan_import
    from commons.imports.reading import read_register

    profile = workflows.get_profile(current_app.config["PROFILE"])
    try:
        mapping = mapping_module.load_mapping(mapping_path, profile.states)
        register = read_register(path, mapping, sheet=sheet)
    except mapping_module.ImportProblem as problem:
        raise click.ClickException(str(problem)) from None
    plan = plan_import(register, mapping, profile, existing_keys())
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
    _show_plan_notes(plan)
    if plan.errors and not skip_invalid and not dry_run:
        click.echo(
            f"Nothing imported: {len(plan.errors)} error(s) in {len(plan.invalid_rows)} row(s). "
            "Fix the file or the mapping, or use --skip-invalid to import the valid rows.",
            err=True,
        )
        sys.exit(1)

    show_bar = len(plan.rows) >= 50 and sys.stderr.isatty()
    bar_context = (
        click.progressbar(length=len(plan.rows), label="Importing", file=sys.stderr)
        if show_bar
        else contextlib.nullcontext()
    )
    with bar_context as bar:  # a failure rolls everything back (the command's transaction)
        counts, run = apply_plan(
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
    if counts.without_end:
        click.echo(
            f"{counts.without_end} pact(s) in force have no end date (map end_date, or "
            "start_date or signed_on with duration_months): they will not expire."
        )
    if dry_run:
        discard_step()  # a dry run keeps nothing of what it made
        click.echo(f"Dry run, nothing created. Would create {summary}{skipped}.")
        if plan.errors and not skip_invalid:
            click.echo("A real run would refuse the file: fix the errors or use --skip-invalid.")
            sys.exit(1)
        return
    click.echo(f"Created {summary}{skipped}.")
    click.echo(f"Import id {run.id}: undo it with `commons import undo {run.id}`.")


@import_group.command("undo")
@click.argument("import_id", type=int)
@click.option("--reason", default="", help="Why the import is taken back (kept in the history).")
@with_appcontext
@command
def import_undo(import_id, reason):
    """Take a whole import back, while nobody has acted on its proposals since."""
    from commons.extensions import db
    from commons.imports.models import ImportRun
    from commons.imports.operations import undo_import
    from commons.lifecycle.states import profile_named

    run = db.session.get(ImportRun, import_id)
    if run is None:
        raise click.ClickException(f"there is no import {import_id}")
    taken = undo_import(run, profile_of=lambda p: profile_named(p.profile), reason=reason)
    click.echo(f"Import {import_id} of {run.file_name} undone: {taken} proposal(s) taken back.")

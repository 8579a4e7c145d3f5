"""The ``commons uploads`` commands: uploaded files."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from commons.cliutils import parse_now
from commons.transactions import command, commit_step


def clean_uploads(now, *, hours: float | None, dry_run: bool, verbose: bool) -> None:
    """Remove (or, with dry_run, list) the abandoned uploads and say how many."""
    from datetime import timedelta

    from commons.uploads.operations import clean_abandoned

    older_than = timedelta(hours=hours) if hours is not None else None
    # The rows removed are committed (commit_step) before their files are unlinked.
    report = clean_abandoned(now, step=commit_step, older_than=older_than, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    if verbose:
        for attachment_id, purpose, name, size in report.attachments:
            click.echo(f"{verb} attachment {attachment_id} ({purpose}, {name!r}, {size} bytes)")
        for name, size in report.stray_files:
            click.echo(f"{verb} stray file {name} ({size} bytes)")
    click.echo(
        f"uploads: {verb} abandoned attachments: {len(report.attachments)}, "
        f"stray files: {len(report.stray_files)} ({report.bytes} bytes)"
    )


uploads_group = click.Group("uploads", help="Uploaded files.")


@uploads_group.command("clean")
@click.option(
    "--older-than",
    "hours",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    metavar="HOURS",
    help="Grace period: only files uploaded at least this long ago.",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help="Pretend it is this time.")
@with_appcontext
@command
def uploads_clean(hours, dry_run, now_text):
    """Remove abandoned uploads: files of forms never completed, linked to nothing.

    Never removes a file of a proposal's application, of a filed report, of a recorded
    meeting or integration answer, nor one whose SHA-256 an audit event records.
    """
    clean_uploads(parse_now(now_text), hours=hours, dry_run=dry_run, verbose=True)

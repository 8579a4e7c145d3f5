"""The ``commons tick`` command: what time makes due."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from commons.audit.cli import report_checkpoint
from commons.cliutils import parse_now
from commons.notifications.cli import send_notifications
from commons.transactions import command, commit_step
from commons.uploads.cli import clean_uploads


@click.command("tick")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-DATETIME",
    help="Pretend it is this time (default: now). Naive times are UTC.",
)
@with_appcontext
@command
def tick_command(now_text):
    """Fire the time-based transitions that are due, queue reminders, e-mail what is due and
    remove abandoned uploads (idempotent)."""
    from commons.monitoring.operations import tick

    now = parse_now(now_text)
    # A batch: each transition fired and each message queued is committed at once
    # (commit_step), so one that fails later (a refused guard, a crash) undoes none of them.
    report = tick(now, step=commit_step)
    for protocol, trigger, state in report.fired:
        click.echo(f"fired   {trigger:<20} {protocol:<14} -> {state}")
    for key, kind in report.notified:
        click.echo(f"queued  {kind:<20} {key}")
    for protocol, trigger, why in report.refused:
        click.echo(f"skipped {trigger:<20} {protocol:<14} {why}")
    click.echo(
        f"tick at {now.isoformat()}: {len(report.fired)} transitions, "
        f"{len(report.notified)} notifications"
    )
    send_notifications(now)
    clean_uploads(now, hours=None, dry_run=False, verbose=False)
    report_checkpoint()

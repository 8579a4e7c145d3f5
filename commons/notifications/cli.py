"""The ``commons notifications`` commands: the outbox."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from commons.cliutils import parse_now
from commons.transactions import command


def send_notifications(now) -> None:
    """E-mail the notifications that are due and say how it went."""
    from commons.notifications.mail import send_due

    report = send_due(now)
    if not report.configured:
        click.echo("e-mail: COMMONS_SMTP_HOST is not set; notifications stay in-app")
        return
    for note_id, error in report.failed:
        click.echo(f"failed  notification {note_id}: {error} (will retry)")
    click.echo(f"e-mail: {len(report.sent)} sent, {len(report.failed)} failed (retried later)")


notifications_group = click.Group("notifications", help="The notification outbox.")


@notifications_group.command("send")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help="Pretend it is this time.")
@with_appcontext
@command
def notifications_send(now_text):
    """E-mail the notifications that are due (new ones, and failed ones whose retry time came)."""
    send_notifications(parse_now(now_text))

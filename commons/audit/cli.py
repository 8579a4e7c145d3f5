"""The ``commons audit`` commands, and the checkpoint the tick makes."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from commons.transactions import command, commit_step

audit_group = click.Group("audit", help="The audit history.")


@audit_group.command("verify")
@click.option(
    "--checkpoints",
    "lists",
    multiple=True,
    metavar="FILE-OR-URL",
    help="A published checkpoint list (open-data checkpoints.csv) to check against too; repeat "
    "for several.",
)
@with_appcontext
def audit_verify(lists):
    """Recompute the whole hash chain and compare it with every checkpoint known (the table,
    the witness file, --checkpoints); exit 1 naming the first broken event or contradiction."""
    from commons.audit import checkpoints, witness
    from commons.audit.operations import verify_chain

    extra = []
    for location in lists:
        try:
            extra += witness.read_location(location)
        except (OSError, ValueError) as error:
            raise click.ClickException(
                f"cannot read checkpoints from {location}: {error}"
            ) from None
    try:
        known = checkpoints.known_checkpoints(extra)
    except witness.ListError as error:
        raise click.ClickException(str(error)) from None
    report = verify_chain(checkpoints=known, certificates=checkpoints.trusted_certificates())
    if report.ok:
        click.echo(f"OK: {report.count} events, head {report.head_hash}")
        unsigned = f" ({report.unsigned} of them unsigned)" if report.unsigned else ""
        click.echo(f"checkpoints: the chain agrees with {report.checkpoints}{unsigned}")
        return
    if report.kind == "checkpoint":
        click.echo(f"REWRITTEN at event {report.broken_seq}: {report.reason}", err=True)
    elif report.kind == "signature":
        click.echo(f"FORGED checkpoint at event {report.broken_seq}: {report.reason}", err=True)
    else:
        click.echo(
            f"BROKEN at event {report.broken_seq}: {report.reason} "
            f"({report.count} events verified before it)",
            err=True,
        )
    sys.exit(1)


@audit_group.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "jsonl", "xlsx", "zip"]))
@click.option("--protocol", "protocols", multiple=True, help="Protocol number; repeat for several.")
@click.option("--state", help="Only pacts in this state (e.g. active).")
@click.option("--district", help="Only pacts on a commons in this district.")
@click.option(
    "--from",
    "date_from",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only pacts with an event on or after this day (UTC).",
)
@click.option(
    "--to",
    "date_to",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only pacts with an event on or before this day (UTC).",
)
@click.option("--officer", help="Only pacts whose case officer has this e-mail.")
@click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 BOM (for spreadsheets).")
@click.option("--by", "by_email", help="E-mail of the user exporting (default: cli).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True, help="File."
)
@with_appcontext
@command
def audit_export(
    fmt, protocols, state, district, date_from, date_to, officer, bom, by_email, output
):
    """Export the audit history of the selected pacts; the export is itself an audit event."""
    from contextlib import nullcontext

    from sqlalchemy import func, select

    from commons.audit.exports import ExportError, run_export
    from commons.audit.queries import Filters, count_events
    from commons.auth.models import User
    from commons.extensions import db

    if bom and fmt != "csv":
        raise click.BadParameter("--bom applies to --format csv only", param_hint="--bom")
    by = None
    if by_email:
        by = db.session.scalar(select(User).where(func.lower(User.email) == by_email.lower()))
        if by is None:
            raise click.BadParameter(f"no user with e-mail {by_email!r}", param_hint="--by")
    filters = Filters(
        protocols=tuple(protocols),
        state=state,
        district=district,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
        officer=officer,
    )
    bar = (
        click.progressbar(length=count_events(filters), label="Exporting events", file=sys.stderr)
        if sys.stderr.isatty()
        else nullcontext(None)
    )
    try:
        with bar as progress:
            result = run_export(
                fmt,
                output,
                filters,
                by=by,
                bom=bom,
                progress=progress.update if progress is not None else None,
            )
    except (ExportError, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{result.path}: {result.rows} events ({result.format}), SHA-256 {result.sha256}; "
        f"recorded as audit event {result.event_seq}"
    )


@audit_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def audit_worker(burst):
    """Make the exports started from the web (RQ queue on COMMONS_REDIS_URL)."""
    from commons.audit.exports import ExportError
    from commons.audit.jobs import run_worker

    try:
        run_worker(burst=burst)
    except ExportError as error:
        raise click.ClickException(str(error)) from None


@audit_group.command("verify-bundle")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--checkpoints",
    "lists",
    multiple=True,
    metavar="FILE-OR-URL",
    help="A published checkpoint list to check the bundle's chain against too; repeat for several.",
)
def audit_verify_bundle(path, lists):
    """Check an evidence bundle offline (no database) against its own checkpoints and any
    --checkpoints list; exit 1 naming the first failure."""
    from commons.audit.bundle import verify
    from commons.audit.witness import read_location

    extra = []
    for location in lists:
        try:
            extra += read_location(location)
        except (OSError, ValueError) as error:
            raise click.ClickException(
                f"cannot read checkpoints from {location}: {error}"
            ) from None
    report = verify(path, checkpoints=extra)
    if report.ok:
        click.echo(report.message)
        return
    click.echo(f"FAILED: {report.message}", err=True)
    sys.exit(1)


def report_checkpoint() -> None:
    """Make a checkpoint of the audit chain's head and say so (a step of the tick)."""
    from commons.audit.checkpoints import make_checkpoint

    checkpoint, made, witness_error = make_checkpoint()
    commit_step()  # in the tick's batch: the checkpoint is reported once it is kept
    if witness_error:
        click.echo(f"checkpoint: {witness_error}", err=True)
    if checkpoint is None:
        click.echo("checkpoint: the audit chain is empty")
        return
    seal = "sealed" if checkpoint.signature else "unsigned: no seal key (COMMONS_SIGNING_P12)"
    verb = "made" if made else "unchanged (the head has not moved)"
    click.echo(f"checkpoint {verb}: event {checkpoint.seq}, hash {checkpoint.hash} ({seal})")

"""The ``commons`` command (also available as ``flask --app commons ...``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from commons.config import PROJECT_ROOT
from commons.transactions import command, commit_step, discard_step


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
@command
def demo_command():
    """Load the demo city (idempotent) and print the demo logins."""
    # One transaction: the whole city is committed, or (on a failure) none of it.
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

    from commons.audit.exports import ExportError, Filters, count_events, run_export
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


def _parse_now(value: str | None):
    from datetime import UTC, datetime

    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2026-11-21T09:00:00+01:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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

    now = _parse_now(now_text)
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
    _send_notifications(now)
    _clean_uploads(now, hours=None, dry_run=False, verbose=False)
    _checkpoint()


def _checkpoint() -> None:
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


def _send_notifications(now) -> None:
    from commons.notifications.mail import send_due

    report = send_due(now)
    if not report.configured:
        click.echo("e-mail: COMMONS_SMTP_HOST is not set; notifications stay in-app")
        return
    for note_id, error in report.failed:
        click.echo(f"failed  notification {note_id}: {error} (will retry)")
    click.echo(f"e-mail: {len(report.sent)} sent, {len(report.failed)} failed (retried later)")


def _clean_uploads(now, *, hours: float | None, dry_run: bool, verbose: bool) -> None:
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
    _clean_uploads(_parse_now(now_text), hours=hours, dry_run=dry_run, verbose=True)


notifications_group = click.Group("notifications", help="The notification outbox.")


@notifications_group.command("send")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help="Pretend it is this time.")
@with_appcontext
@command
def notifications_send(now_text):
    """E-mail the notifications that are due (new ones, and failed ones whose retry time came)."""
    _send_notifications(_parse_now(now_text))


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


def register_cli(app: Flask) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(users_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(tick_command)
    app.cli.add_command(workflow_group)
    app.cli.add_command(pacts_group)
    app.cli.add_command(import_group)
    app.cli.add_command(notifications_group)
    app.cli.add_command(uploads_group)


def _create_app():
    from commons import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    help="Commons: the registry of collaboration pacts on urban commons.",
)


pacts_group = click.Group("pacts", help="Pacts and their documents.")


def _find_proposal(key: str):
    from sqlalchemy import select

    from commons.extensions import db
    from commons.proposals.models import Proposal

    proposal = db.session.scalar(select(Proposal).where(Proposal.protocol_number == key))
    if proposal is None and key.isdigit():
        proposal = db.session.get(Proposal, int(key))
    if proposal is None:
        raise click.ClickException(f"no proposal with protocol number or id {key!r}")
    return proposal


@pacts_group.command("list")
@click.option("--state", help="Only proposals in this state (e.g. active).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
def pacts_list(state, as_json):
    """List proposals and pacts with their state and documents."""
    import json

    from sqlalchemy import select

    from commons.documents.models import Document
    from commons.extensions import db
    from commons.proposals.models import Proposal

    stmt = select(Proposal).order_by(Proposal.id)
    if state:
        stmt = stmt.where(Proposal.status == state)
    documents: dict[int, dict[str, str]] = {}
    for doc in db.session.scalars(select(Document).order_by(Document.id)):
        documents.setdefault(doc.proposal_id, {})[doc.kind] = doc.sha256
    for p in db.session.scalars(stmt):
        row = {
            "id": p.id,
            "protocol_number": p.protocol_number,
            "title": p.title,
            "state": p.status,
            "pact_type": p.pact_type,
            "start_date": p.start_date.isoformat() if p.start_date else None,
            "end_date": p.end_date.isoformat() if p.end_date else None,
            "documents": documents.get(p.id, {}),
        }
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{p.id:>5}  {p.protocol_number or '-':<12} {p.status:<21} {p.title}")


@pacts_group.command("render")
@click.argument("key", metavar="PROTOCOL_OR_ID")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--version", "number", type=int, help="Version number (default: the latest).")
@with_appcontext
def pacts_render(key, output, number):
    """Render a pact version to a PDF file (the issued one again, byte for byte, if issued)."""
    from sqlalchemy import select

    from commons.documents import rendering
    from commons.documents.models import Document, PactVersion
    from commons.documents.operations import (
        document_language,
        pact_meta,
        seal_if_configured,
        signature_rows,
    )
    from commons.extensions import db

    proposal = _find_proposal(key)
    version = PactVersion.numbered(proposal, number) if number else PactVersion.latest_for(proposal)
    if version is None:
        raise click.ClickException("this proposal has no such pact version")
    issued = db.session.scalar(
        select(Document)
        .where(Document.version_id == version.id)
        .order_by(Document.id.desc())
        .limit(1)
    )
    if issued is not None:
        signatures = signature_rows(proposal) if issued.kind == "signed" else None
        meta = pact_meta(proposal, version, issued_at=issued.created_at, signatures=signatures)
        kind = "final"
    else:
        meta = pact_meta(proposal, version, issued_at=version.created_at)
        kind = "draft"
    pdf = rendering.render_pact_pdf(version.content, meta, document_language(), kind=kind)
    if issued is not None and issued.kind == "signed":
        # Sealing is deterministic: with the same key, the stored bytes come back.
        pdf = seal_if_configured(pdf, issued.created_at)
    with open(output, "wb") as fh:
        fh.write(pdf)
    click.echo(
        f"{output}: version {version.number}, {len(pdf)} bytes, "
        f"SHA-256 {__import__('hashlib').sha256(pdf).hexdigest()}"
    )


@pacts_group.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def pacts_verify(path):
    """Exit 0 if the registry issued this exact file, 1 if it is altered or unknown."""
    from commons.documents.operations import find_document
    from commons.documents.storage import sha256_of_file

    sha256 = sha256_of_file(path)
    document = find_document(sha256)
    if document is None:
        click.echo(f"ALTERED OR NOT ISSUED: no document with SHA-256 {sha256}", err=True)
        sys.exit(1)
    p = document.proposal
    click.echo(
        f"ISSUED and intact: {document.kind} document of {p.protocol_number} "
        f'"{p.title}", version {document.version.number}, now {p.status}; '
        f"SHA-256 {sha256}"
    )


@pacts_group.command("seal-certificate")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def pacts_seal_certificate(output):
    """Write the configured seal's certificate (PEM), to keep in COMMONS_PREVIOUS_SEALS."""
    from asn1crypto import pem

    from commons.documents.seal import SealError, load_signer

    path = current_app.config.get("SIGNING_P12")
    if not path:
        raise click.ClickException("no seal is configured (COMMONS_SIGNING_P12 is empty)")
    try:
        signer = load_signer(path, current_app.config.get("SIGNING_P12_PASSWORD") or "")
    except SealError as error:
        raise click.ClickException(str(error)) from None
    certificate = signer.signing_cert
    with open(output, "wb") as fh:
        fh.write(pem.armor("CERTIFICATE", certificate.dump()))
    click.echo(
        f"{output}: the certificate of {certificate.subject.human_friendly}, valid until "
        f"{certificate.not_valid_after:%Y-%m-%d}, SHA-256 {certificate.sha256.hex()}"
    )


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

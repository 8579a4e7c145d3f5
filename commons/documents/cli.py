"""The ``commons pacts`` commands: pacts and their documents."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

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


@pacts_group.command("trust-roots")
@click.argument("trusted_list", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--all-statuses",
    is_flag=True,
    help="Also services whose status is not 'granted' (withdrawn ones signed in the past).",
)
@with_appcontext
def pacts_trust_roots(trusted_list, all_statuses):
    """List the trust roots for the parties' own signatures; with TRUSTED_LIST (an EU trusted
    list XML file), first add its qualified certification authorities to the folder."""
    from commons.documents.qualified import load_trust_roots, trust_root_files

    folder = current_app.config["TRUST_ROOTS"]
    if trusted_list:
        from pathlib import Path

        from commons.documents.trusted_list import (
            certificates_from_trusted_list,
            write_trust_roots,
        )

        try:
            found = certificates_from_trusted_list(
                Path(trusted_list).read_bytes(), granted_only=not all_statuses
            )
        except ValueError as error:
            raise click.ClickException(f"{trusted_list}: {error}") from None
        added, kept = write_trust_roots(folder, found)
        click.echo(
            f"{len(found)} qualified CA certificates in the list: {added} added, {kept} kept"
        )
    files = trust_root_files(folder)
    roots = load_trust_roots(folder)
    click.echo(f"{folder}: {len(files)} files, {len(roots)} certificates")
    for certificate in roots:
        click.echo(f"  {certificate.subject.human_friendly}")

"""A pact's complete history for auditors: the search, the history page and its PDF report."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from commons.audit import personal
from commons.audit.models import AuditEvent
from commons.audit.queries import Filters, pact_ids
from commons.auth.models import User
from commons.documents.models import Document, PactVersion, Signature
from commons.extensions import db
from commons.inputs import show_bidi_controls
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal

PAGE_SIZE = 25


def search(filters: Filters, after: int | None = None, limit: int | None = None):
    """One page of the pacts the filters select, newest first (keyset on id); and whether more
    follow. Drafts are the proponents' own and are left out."""
    limit = limit or PAGE_SIZE
    stmt = (
        select(Proposal)
        .where(Proposal.id.in_(pact_ids(filters)), Proposal.is_public)
        .options(selectinload(Proposal.commons), selectinload(Proposal.case_officer))
        .order_by(Proposal.id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        stmt = stmt.where(Proposal.id < after)
    rows = db.session.scalars(stmt).all()
    return rows[:limit], len(rows) > limit


@dataclass
class History:
    proposal: Proposal
    events: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    signatures: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    people: dict = field(default_factory=dict)
    chain_head: tuple | None = None  # (seq, hash) of the whole chain's last event
    version_numbers: dict = field(default_factory=dict)  # version id -> number
    # seq -> the event's payload as people read it (personal values shown, or "erased").
    payloads: dict = field(default_factory=dict)


def history(proposal: Proposal) -> History:
    """Every audit event, version, document, signature and report of a pact (a few queries)."""
    h = History(proposal)
    pid = proposal.id
    h.events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.proposal_id == pid).order_by(AuditEvent.seq)
    ).all()
    h.payloads = personal.revealed(h.events)
    h.versions = db.session.scalars(
        select(PactVersion).where(PactVersion.proposal_id == pid).order_by(PactVersion.number)
    ).all()
    h.version_numbers = {v.id: v.number for v in h.versions}
    h.documents = db.session.scalars(
        select(Document).where(Document.proposal_id == pid).order_by(Document.id)
    ).all()
    h.signatures = db.session.scalars(
        select(Signature).where(Signature.proposal_id == pid).order_by(Signature.signed_at)
    ).all()
    h.reports = db.session.scalars(
        select(MonitoringReport)
        .where(MonitoringReport.proposal_id == pid)
        .order_by(MonitoringReport.filed_at)
    ).all()
    ids = {e.actor_id for e in h.events} | {v.author_id for v in h.versions}
    ids |= {s.signer_id for s in h.signatures} | {r.author_id for r in h.reports}
    ids.discard(None)
    if ids:
        h.people = dict(
            db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()
        )
    head = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    h.chain_head = tuple(head) if head else None
    return h


def render_history_pdf(html: str) -> bytes:
    """The history report as PDF, with the pact documents' conventions: the vendored fonts, a
    URL fetcher that serves only the app's static files, and bidi controls printed as visible
    markers ("[U+202E]") so that every name and text reads in its stored order."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from commons.documents.rendering import StaticFilesFetcher

    fetcher = StaticFilesFetcher()
    html = show_bidi_controls(html)
    return HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher).write_pdf(
        font_config=FontConfiguration()
    )

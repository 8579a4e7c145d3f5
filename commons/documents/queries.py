"""What the holder of a pact's copy may learn: the pact's public record, and a check of a file.

The pact PDF's QR code leads here (``/pacts/<id>/verify``). Public data only (DOMAIN.md): the
parties by name (the proponent once its representative has signed), who signed and when, the
term, the current state, the signed file. Never tax codes, addresses or the members' names.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

import workflows
from commons.audit.models import AuditEvent
from commons.documents.models import Document
from commons.documents.operations import (
    find_document,
    latest_document,
    pact_level,
    signature_rows,
)
from commons.extensions import db
from commons.lifecycle.states import ended_unsigned

# The standing of a pact, as the page says it; the template words each one.
IN_FORCE = "in_force"
STARTS_LATER = "starts_later"
TERM_OVER = "term_over"  # still recorded as in force, but its end date has passed
SUSPENDED = "suspended"
ENDED = "ended"
AWAITING_SIGNATURES = "awaiting_signatures"
NOT_A_PACT = "not_a_pact"
NEVER_A_PACT = "never_a_pact"


def _city_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["CITY_TIMEZONE"])).date()


def _since(proposal) -> datetime | None:
    """When the proposal entered its current state (the last transition into it)."""
    return db.session.scalar(
        select(AuditEvent.occurred_at)
        .where(AuditEvent.proposal_id == proposal.id, AuditEvent.to_state == proposal.status)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )


def standing(proposal, profile, *, signed: bool, today: date) -> str:
    """Where the pact stands today: in force, starting later, suspended, ended..."""
    status = proposal.status
    if status in profile.tagged("paused"):
        return SUSPENDED
    if status in profile.in_force:
        if proposal.start_date and proposal.start_date > today:
            return STARTS_LATER
        if proposal.end_date and proposal.end_date < today:
            return TERM_OVER
        return IN_FORCE
    if status in profile.terminal:
        # Terminal states reached without the pact ever being signed.
        return NEVER_A_PACT if status in ended_unsigned(profile) or not signed else ENDED
    if status in profile.sources("sign"):
        return AWAITING_SIGNATURES
    return NOT_A_PACT


def pact_record(proposal, *, today: date | None = None) -> dict:
    """The public facts of a pact for its verification page."""
    profile = workflows.get_profile(proposal.profile)
    signatures = signature_rows(proposal)
    signed_document = latest_document(proposal, "signed")
    representative_signed = any(s["role"] == "representative" for s in signatures)
    in_force = proposal.status in profile.in_force
    # The proponent is a party of a public act once its representative signs (or the pact is
    # in force, e.g. imported from a register): before that, not public.
    proponent_public = representative_signed or in_force
    config = current_app.config
    return {
        "proposal": proposal,
        "standing": standing(
            proposal, profile, signed=signed_document is not None, today=today or _city_today()
        ),
        "since": _since(proposal),
        "city": {"name": config["CITY_NAME"], "office": config["CITY_OFFICE"]},
        "proponent": proposal.group.name if proponent_public else None,
        "representative": proposal.representative.full_name if proponent_public else None,
        "signatures": signatures,
        "level": pact_level(proposal),
        "start": proposal.start_date,
        "end": proposal.end_date,
        "signed_document": signed_document,
        "successors": [s for s in proposal.successors if s.is_public],
    }


# The verdicts of a file check.
GENUINE = "genuine"  # the signed pact, exactly as issued
OTHER_ISSUE = "other_issue"  # issued by the registry for this pact, but not the signed file
OTHER_PACT = "other_pact"  # issued by the registry, for another pact
NOT_ISSUED = "not_issued"  # altered, or not from this registry


def file_check(proposal, data: bytes) -> dict:
    """Is this file the pact the registry issued? By its SHA-256, and by its electronic seal."""
    from commons.documents.seal import verify_seal

    sha256 = hashlib.sha256(data).hexdigest()
    document: Document | None = find_document(sha256)
    if document is None:
        verdict = NOT_ISSUED
    elif document.proposal_id != proposal.id:
        verdict = OTHER_PACT
    elif document.kind == "signed":
        verdict = GENUINE
    else:
        verdict = OTHER_ISSUE
    return {
        "sha256": sha256,
        "verdict": verdict,
        "document": document,
        "seal": verify_seal(data),
    }

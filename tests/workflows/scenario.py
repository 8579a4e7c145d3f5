"""Put a proposal in any state of the labsus profile, with the data its exits need.

Test set-up only: real proposals reach their states through workflows.fire. Here the status
column is set directly so that every (state, trigger, role) can be tried in isolation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from commons.auth.models import Role
from commons.documents import operations as documents
from commons.documents.models import PactVersion, Signature
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import CoDesignMeeting, ProtocolCounter
from tests import factories
from workflows.guards import content_hash

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


class Cast:
    """The people of a scenario, one per capacity."""

    def __init__(self):
        self.representative = factories.user(Role.CITIZEN, name="Rita Representative")
        self.member = factories.user(Role.CITIZEN, name="Mario Member")
        self.officer = factories.user(Role.OFFICER, name="Olga Officer")
        self.legal = factories.user(Role.LEGAL, name="Leo Legal")
        self.auditor = factories.user(Role.AUDITOR, name="Aldo Auditor")
        self.admin = factories.user(Role.ADMIN, name="Ada Admin")
        self.group = factories.group(self.representative)
        from commons.auth.operations import add_member

        add_member(self.group, full_name=self.member.full_name, email=self.member.email)
        db.session.commit()


def data_for(trigger: str, actor) -> dict:
    """Valid data for a trigger, as a person would type it."""
    return {
        "request_integration": {"message": "Please send the group's statute."},
        "integrate": {"answer": "Statute attached."},
        "record_deliberation": {
            "deliberation_number": "DG 12/2026",
            "deliberation_date": "2026-05-20",
        },
        "return_to_co_design": {"reasons": "Clarify the safety clause."},
        "approve": {"act_number": "DD 77/2026", "act_date": "2026-05-25"},
        "sign": {
            "full_name": getattr(actor, "full_name", ""),
            "consent": "y",
            "password": factories.PASSWORD,
        },
        "file_report": {"report_text": "Six clean-ups, 20 volunteers.", "final": "y"},
        "suspend": {"reasons": "Works on the water mains.", "grounds": "safety"},
        "resume": {"reasons": "Works finished."},
        "extend": {"act_number": "DD 90/2026", "new_end_date": "2028-12-31"},
        "renew": {"act_number": "DD 99/2026"},
        "reject": {"reasons": "Outside the regulation's scope."},
        "withdraw": {"reasons": "The group has dissolved."},
        "revoke": {"reasons": "Repeated breach of safety rules."},
        "terminate": {"reasons": "The building is needed for a school."},
    }.get(trigger, {})


def proposal_in(state: str, cast: Cast, *, pact_type: str = "ordinary", for_signer=None):
    """A proposal in ``state`` whose time-based and data guards are satisfied at NOW."""
    p = factories.proposal(cast.group, pact_type=pact_type)
    if state == "draft":
        return p
    p.protocol_number = f"2026/{p.id:06d}"
    # The year's counter has given this number: later numbers (a renewal's) come after it.
    counter = db.session.get(ProtocolCounter, 2026) or ProtocolCounter(year=2026, last_number=0)
    counter.last_number = max(counter.last_number or 0, p.id)
    db.session.add(counter)
    p.submitted_at = p.review_started_at = NOW - timedelta(days=10)
    p.case_officer_id = cast.officer.id
    p.status = "co_design"
    db.session.flush()
    version = documents.save_version(p, author=cast.officer)
    db.session.add(CoDesignMeeting(proposal=p, held_on=date(2026, 5, 1), minutes="Agreed."))
    p.integration_due_at = NOW - timedelta(days=1)
    p.notice_ends_at = NOW - timedelta(days=1)
    p.start_date, p.end_date = date(2025, 9, 1), date(2026, 7, 1)
    if state in ("awaiting_integration",):
        p.review_paused_at = NOW - timedelta(days=31)
    if state in (
        "awaiting_signatures",
        "active",
        "suspended",
        "renewal_review",
        "renewal_granted",
    ) or state in (
        "expired",
        "revoked",
        "terminated",
        "renewed",
    ):
        version.frozen_at = NOW - timedelta(days=5)
    if state == "awaiting_signatures" and for_signer == "legal":
        db.session.add(
            Signature(
                proposal_id=p.id,
                signer_id=cast.representative.id,
                signer_role="representative",
                typed_name="Rita Representative",
                signed_at=NOW - timedelta(days=1),
                document_hash=version.content_hash,
            )
        )
    if state in ("renewal_review", "renewal_granted"):
        db.session.add(
            MonitoringReport(
                proposal_id=p.id, author_id=cast.representative.id, text="Final report.", final=True
            )
        )
    p.status = state
    db.session.commit()
    return p


def version_hash(p) -> str:
    version = db.session.query(PactVersion).filter_by(proposal_id=p.id).first()
    return content_hash(version.content)


def approve_and_sign(cast: Cast, p) -> None:
    """Approve the pact in legal review, then both parties sign it in order."""
    from workflows import fire

    fire(p, "approve", cast.legal, now=NOW, act_number="DD 5/2026", act_date="2026-05-30")
    db.session.commit()
    for who, days in ((cast.representative, 1), (cast.legal, 2)):
        fire(
            p,
            "sign",
            who,
            now=NOW + timedelta(days=days),
            full_name=who.full_name,
            consent="y",
            password=factories.PASSWORD,
        )
        db.session.commit()

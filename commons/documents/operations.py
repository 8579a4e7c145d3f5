"""Pact versions: every save in co-design is a new, immutable version."""

from __future__ import annotations

from sqlalchemy import func, select

import workflows
from commons.audit.operations import append_event
from commons.documents.models import PactVersion
from commons.errors import DomainError
from commons.extensions import db
from workflows.guards import content_hash

# Working titles of the sections; the rendered document (templates/pacts/) gives the
# legal wording in the city's language.
SECTION_TITLES = {
    "title": "Title and legal basis",
    "parties": "Parties",
    "recitals": "Recitals",
    "object": "Object and objectives",
    "duration": "Duration, suspension and withdrawal",
    "commitments": "Commitments of the parties and support from the city",
    "monitoring": "Monitoring and evaluation",
    "safety": "Safety",
    "liability": "Liability and insurance",
    "disputes": "Disputes",
    "staff_support": "Support from city staff",
    "amendments": "Amendments",
    "end_of_collaboration": "End of the collaboration",
    "termination_for_breach": "Termination for breach",
    "guarantees": "Guarantees",
    "final_provisions": "Final provisions",
    "privacy": "Privacy notice",
    "signatures": "Signatures",
}


def default_content(proposal) -> dict:
    """A first draft of the pact from the proposal's data, one section per profile section."""
    profile = workflows.get_profile(proposal.profile)
    commons = "; ".join(f"{c.name}, {c.address}" for c in proposal.commons)
    support = ", ".join(proposal.support_requested or []) or "none requested"
    texts = {
        "title": f"Collaboration pact: {proposal.title} ({proposal.pact_type}).",
        "parties": f"The city and {proposal.group.name}, represented by "
        f"{proposal.representative.full_name}.",
        "recitals": "Proposal received, reviewed and co-designed under the regulation.",
        "object": f"Commons: {commons}. Objectives: {proposal.objectives}. "
        f"Activities: {proposal.activities}.",
        "duration": f"{proposal.requested_duration_months or ''} months. Suspension for public "
        "interest with 48 hours' notice; withdrawal with 30 days' notice.",
        "commitments": f"The proponents carry out the activities. Support from the city: "
        f"{support}. No employment relationship arises.",
        "monitoring": "A monitoring report every six months, published.",
        "safety": "Risk analysis, training and protective equipment before activities start.",
        "liability": "Each party answers for its own acts; the city provides insurance cover "
        "where agreed.",
        "disputes": "A conciliation committee of three gives a non-binding proposal within "
        "30 days.",
        "staff_support": "The office names a contact person.",
        "amendments": "Only with the city's written consent.",
        "end_of_collaboration": "Works remain the city's; goods are returned and the site "
        "restored; renewal only by a new pact.",
        "termination_for_breach": "The city may terminate the pact for serious breach.",
        "guarantees": "None beyond those stated.",
        "final_provisions": "Interpreted in favour of civic participation.",
        "privacy": "Personal data processed under GDPR art. 13 for this pact only.",
        "signatures": "Signed by the representative and by the manager for the city; onerous "
        "clauses approved separately (Civil Code art. 1341).",
    }
    return {
        "sections": [
            {
                "key": key,
                "title": SECTION_TITLES.get(key, key),
                "articles": [{"title": SECTION_TITLES.get(key, key), "text": texts.get(key, "")}],
            }
            for key in profile.sections
        ]
    }


def save_version(
    proposal, *, author, content: dict | None = None, comment: str = ""
) -> PactVersion:
    """Save the pact text as a new version (co-design only); the previous ones stay as they were."""
    if proposal.status != "co_design":
        raise DomainError("The pact text can be changed only during co-design.")
    content = content if content is not None else default_content(proposal)
    number = (
        db.session.scalar(
            select(func.max(PactVersion.number)).where(PactVersion.proposal_id == proposal.id)
        )
        or 0
    ) + 1
    version = PactVersion(
        proposal_id=proposal.id,
        number=number,
        content=content,
        content_hash=content_hash(content),
        comment=comment.strip(),
        author_id=author.id,
    )
    db.session.add(version)
    db.session.flush()
    append_event(
        "pact_version_saved",
        actor=author,
        proposal=proposal,
        payload={"version": number, "hash": version.content_hash, "comment": comment},
    )
    return version

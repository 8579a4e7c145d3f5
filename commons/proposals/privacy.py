"""Which names of a proposal's proponents the public may read.

The representative's personal name is public only once the pact is signed (DOMAIN.md, the
public register) and only when the city publishes representatives
(``COMMONS_PUBLISH_REPRESENTATIVES``). A group's name stands for a person when the group is
an individual's, or when it is named after its representative (an imported register names
groups so): it is then as private as the representative's name.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from commons.extensions import db
from commons.groups.models import GroupKind
from commons.imports.mapping import fold


def representatives_published() -> bool:
    """The city's setting: whether representatives' names of signed pacts are public."""
    return bool(current_app.config.get("PUBLISH_REPRESENTATIVES", True))


def representative_is_public(proposal, profile) -> bool:
    """The representative's name may be shown to anyone: the pact is signed (in force, or
    signed by the representative) and the city publishes representatives."""
    from commons.documents.models import Signature

    if not representatives_published():
        return False
    if proposal.status in profile.in_force:
        return True
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Signature)
            .where(Signature.proposal_id == proposal.id, Signature.signer_role == "representative")
        )
        or 0
    ) > 0


def names_a_person(group) -> bool:
    """Whether the group's name is a person's name (an individual, or the representative's)."""
    if group.kind == GroupKind.INDIVIDUAL.value:
        return True
    return fold(group.name) == fold(group.representative.full_name)


def public_group_name(proposal, profile) -> str | None:
    """The group's name for anyone, or None when it is a person's name not yet public."""
    if names_a_person(proposal.group) and not representative_is_public(proposal, profile):
        return None
    return proposal.group.name

"""Carrying out an erasure request: pseudonymise the person, keep what the law keeps.

What is erased: the account's name, e-mail address, tax code and password (the account is
deactivated and every session ended), the person's entries as a member of groups, the
details of a group that is that person only, their comments and join-request messages, their
"I can help" answers to offers and needs (message and phone number), the
messages addressed to them, the name in messages to others, their API tokens and account
links, and the personal values the audit log holds of them (value and salt: the events keep
only a digest nobody can test any more, and every hash of the chain stays valid).

What is kept (art. 17(3)(b) and (e) GDPR: legal obligation and archiving in the public
interest, defence of legal claims): the names typed on signatures of pacts and the frozen
pact versions and PDFs, which are public-law records; the payloads of audit events written
before personal values were kept apart (the chain is immutable); the files attached to
proposals, which belong to their record.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from commons.api.models import ApiToken
from commons.audit import personal
from commons.audit.operations import append_event
from commons.auth.models import AccountToken, User
from commons.auth.operations import end_all_sessions
from commons.auth.passwords import hash_password
from commons.consultation.models import Comment, JoinRequest
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.groups.models import GroupMember, ProponentGroup
from commons.lifecycle.states import status_in
from commons.notifications.models import Notification
from commons.offers.models import HelpResponse
from commons.privacy.models import ErasureRequest, ErasureStatus
from commons.proposals.models import Proposal


def pseudonym(user: User) -> str:
    return _("Erased person %(id)d", id=user.id)


def pseudonym_email(user: User) -> str:
    return f"erased-{user.id}@erased.invalid"


def blockers(user: User) -> list[str]:
    """Why ``user`` cannot be erased now: each proposal they represent that is in force or
    still under way, which needs a representative the city can reach."""
    rows = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.representative_id == user.id,
            or_(
                status_in(lambda p: p.in_force),
                ~status_in(lambda p: p.terminal),
            ),
        )
        .order_by(Proposal.id)
    ).all()
    reasons = []
    for proposal in rows:
        name = proposal.protocol_number or f"#{proposal.id}"
        if proposal.is_draft:
            reasons.append(
                _(
                    "The draft %(name)s (%(title)s) is theirs: they delete or withdraw it first.",
                    name=name,
                    title=proposal.title,
                )
            )
        else:
            reasons.append(
                _(
                    "%(name)s (%(title)s) is in force or under way and they represent its "
                    "proponent: the pact needs a representative the city can reach until it "
                    "ends, is withdrawn or another member takes over the representation.",
                    name=name,
                    title=proposal.title,
                )
            )
    return reasons


def _only_them(group: ProponentGroup, user: User) -> bool:
    return all(m.user_id == user.id for m in group.members)


def erase(request: ErasureRequest, *, actor: User) -> str:
    """Carry out ``request``: pseudonymise its person; returns the report of what was erased
    and what was kept. Refused, with the reasons, while a pact in force needs the person."""
    if request.status != ErasureStatus.PENDING.value:
        raise DomainError(_("This request was handled already."))
    user = request.user
    reasons = blockers(user)
    if reasons:
        raise DomainError(
            _("The person cannot be erased yet: %(reasons)s", reasons=" ".join(reasons))
        )
    old_name, old_email = user.full_name, user.email
    alias, alias_email = pseudonym(user), pseudonym_email(user)
    uid = user.id

    groups = db.session.scalars(
        select(ProponentGroup).where(ProponentGroup.representative_id == uid)
    ).all()
    solo = [g for g in groups if _only_them(g, user)]
    for group in solo:
        group.name, group.tax_code, group.address = alias, None, None
        group.email, group.phone = None, None
    db.session.execute(
        update(GroupMember)
        .where(or_(GroupMember.user_id == uid, func.lower(GroupMember.email) == old_email))
        .values(full_name=alias, email=alias_email, tax_code=None, address=None)
    )
    erased_text = _("(erased at the author's request)")
    comments = db.session.execute(
        update(Comment).where(Comment.author_id == uid).values(body=erased_text)
    ).rowcount
    db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.user_id == uid, JoinRequest.message != "")
        .values(message=erased_text)
    )
    # Their "I can help" answers to offers and needs: the message and the phone number.
    answers = db.session.execute(
        update(HelpResponse)
        .where(HelpResponse.user_id == uid)
        .values(message=erased_text, phone=None)
    ).rowcount
    db.session.execute(
        delete(Notification).where(
            or_(Notification.recipient_id == uid, Notification.recipient_email == old_email)
        )
    )
    for column in (Notification.subject, Notification.body):
        db.session.execute(
            update(Notification)
            .where(column.contains(old_name))
            .values({column.key: func.replace(column, old_name, alias)})
        )
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == uid))
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == uid))
    values = personal.erase_subject(uid)

    user.full_name, user.email, user.tax_code = alias, alias_email, None
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.active = False
    end_all_sessions(user)

    report = _(
        'Erased: name, e-mail address and tax code of the account (now "%(alias)s"), its '
        "password and sessions (the account is deactivated); %(groups)d group(s) of this person "
        "alone; their entries as a group member; %(comments)d comment(s); the messages "
        "addressed to them; %(values)d personal value(s) in the audit log (the events keep "
        "a digest; every hash of the chain is unchanged). Kept, as public-law records "
        "(art. 17(3)(b) and (e) GDPR): names typed on signatures of pacts, the frozen pact "
        "versions and PDFs, the files attached to proposals, and the payloads of audit events "
        "written before personal values were kept apart from the chain.",
        alias=alias,
        groups=len(solo),
        comments=comments or 0,
        values=values,
    )
    if answers:
        report += " " + _(
            "Also erased: the message and phone number of %(n)d answer(s) they gave to offers "
            "and needs.",
            n=answers,
        )
    request.status, request.decided_at = ErasureStatus.DONE.value, utcnow()
    request.decided_by_id, request.outcome = actor.id, report
    db.session.flush()
    append_event(
        "person_erased",
        actor=actor,
        actor_role="admin",
        payload={"user_id": uid, "erasure_request_id": request.id, "values_erased": values},
        public=False,
    )
    return report


def refuse(request: ErasureRequest, *, actor: User, reasons: str) -> None:
    """Close ``request`` without erasing, with the reasons the person is told."""
    if request.status != ErasureStatus.PENDING.value:
        raise DomainError(_("This request was handled already."))
    reasons = (reasons or "").strip()
    if not reasons:
        raise DomainError(_("Say why the request is refused."), field="reasons")
    request.status, request.decided_at = ErasureStatus.REFUSED.value, utcnow()
    request.decided_by_id, request.outcome = actor.id, reasons
    db.session.flush()
    append_event(
        "erasure_refused",
        actor=actor,
        actor_role="admin",
        payload={"user_id": request.user_id, "erasure_request_id": request.id},
        public=False,
    )

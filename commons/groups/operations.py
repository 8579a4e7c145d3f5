"""Managing a proponent group: details, members, invitations by e-mail, the representative.

An invitation is a member row without an account yet, holding the SHA-256 of a random token;
the token travels only in the e-mail queued in the outbox. Whoever follows the link while
logged in with the invited address joins the group.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from commons.audit.operations import append_event
from commons.auth.models import User
from commons.auth.operations import add_member, create_group, find_user_by_email, normalise_email
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.groups.models import GroupKind, GroupMember, ProponentGroup
from commons.inputs import refuse_bidi_controls
from commons.links import public_link
from commons.notifications.operations import new_notification
from commons.versioning import ensure_base_version


def kind_labels() -> dict[str, str]:
    return {
        GroupKind.INDIVIDUAL.value: _("Myself alone"),
        GroupKind.INFORMAL_GROUP.value: _("Informal group"),
        GroupKind.ASSOCIATION.value: _("Association"),
        GroupKind.COMPANY.value: _("Company"),
        GroupKind.SCHOOL.value: _("School"),
    }


def groups_of(user: User) -> list[ProponentGroup]:
    """Groups the user represents or has joined, by name."""
    joined = select(GroupMember.group_id).where(
        GroupMember.user_id == user.id, GroupMember.joined_at.is_not(None)
    )
    return db.session.scalars(
        select(ProponentGroup)
        .where(or_(ProponentGroup.representative_id == user.id, ProponentGroup.id.in_(joined)))
        .order_by(ProponentGroup.name, ProponentGroup.id)
    ).all()


def represented_by(user: User) -> list[ProponentGroup]:
    return [g for g in groups_of(user) if g.representative_id == user.id]


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def new_group(*, representative: User, name: str, kind: str, **details) -> ProponentGroup:
    """Create a group represented by the user; its kind must be one the model knows."""
    if kind not in {k.value for k in GroupKind}:
        raise DomainError(_("Choose what kind of proponent this is."), field="kind")
    clean = {k: _clean(v) for k, v in details.items()}
    return create_group(name=name or "", kind=kind, representative=representative, **clean)


def update_group(
    group: ProponentGroup, *, base_version: int | None, name: str, kind: str, **details
) -> ProponentGroup:
    """Change a group's name, kind and contact details, made from version ``base_version``
    of the group. Refused (StaleVersion) when someone saved another version meanwhile."""
    if not (name or "").strip():
        raise DomainError(_("Enter the group's name."), field="name")
    refuse_bidi_controls(name, "name")
    if kind not in {k.value for k in GroupKind}:
        raise DomainError(_("Choose what kind of proponent this is."), field="kind")
    values = {"name": name.strip(), "kind": kind}
    for key, value in details.items():
        value = _clean(value)
        values[key] = value.upper() if key == "tax_code" and value else value
    ensure_base_version(group, base_version, values)
    for key, value in values.items():
        setattr(group, key, value)
    db.session.flush()
    return group


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _outbox(*, kind: str, key: str, subject: str, body: str, user=None, email=None) -> None:
    new_notification(
        kind=kind,
        dedup_key=key,
        subject=subject,
        body=body,
        recipient_id=user.id if user is not None else None,
        recipient_email=None if user is not None else email,
    )


def add_or_invite(
    group: ProponentGroup, *, full_name: str, email: str, actor: User
) -> tuple[GroupMember, str | None]:
    """Add someone whose account has a confirmed address, or invite by e-mail anyone else
    (no account, or one not confirmed yet: they join by opening the link, logged in).

    Returns the member row and, for an invitation, the token of its link (also in the
    e-mail queued in the outbox).
    """
    full_name = (full_name or "").strip()
    if not full_name:
        raise DomainError(_("Enter the person's full name."), field="full_name")
    address = normalise_email(email or "")
    if "@" not in address or "." not in address.rsplit("@", 1)[-1]:
        raise DomainError(_("Enter a valid e-mail address."), field="email")
    if group.representative.email == address:
        raise DomainError(_("This person already represents the group."), field="email")
    account = find_user_by_email(address)
    if account is not None and not account.email_verified:
        # Nobody has shown this address is theirs: the link mailed to it decides who joins.
        account = None
    member = add_member(group, full_name=full_name, email=address, user=account)
    token = None
    if account is not None:
        _outbox(
            kind="group_member_added",
            key=f"group:{group.id}:member:{member.id}:added",
            subject=_("You are now a member of %(group)s", group=group.name),
            body=_(
                "%(who)s added you to the group %(group)s on %(city)s Commons.",
                who=actor.full_name,
                group=group.name,
                city=current_app.config["CITY_NAME"],
            ),
            user=account,
        )
    else:
        token = _send_invitation(group, member, actor=actor)
    db.session.flush()
    return member, token


def invitation_days() -> int:
    return int(current_app.config["INVITATION_DAYS"])


def invitation_expires_at(member: GroupMember) -> datetime | None:
    """When the link of the member's current invitation stops working (None: no invitation)."""
    if member.invited_at is None or member.joined_at is not None:
        return None
    return member.invited_at + timedelta(days=invitation_days())


def invitation_expired(member: GroupMember, now: datetime | None = None) -> bool:
    expires = invitation_expires_at(member)
    return expires is not None and (now or utcnow()) >= expires


def _send_invitation(group: ProponentGroup, member: GroupMember, *, actor: User) -> str:
    """Give the member a new invitation link (any earlier one stops working) and queue the
    e-mail that carries it; return the token."""
    from commons.payloads import readable_moment

    token = secrets.token_urlsafe(24)
    member.invitation_token_hash = _token_hash(token)
    member.invited_at = utcnow()
    link = public_link("groups.join", token=token)
    body = _(
        "%(who)s invites you to join the group %(group)s, which proposes collaboration "
        "pacts with the city. To accept, register or log in with this e-mail address "
        "(%(email)s) and open this link: %(link)s",
        who=actor.full_name,
        group=group.name,
        email=member.email,
        link=link,
    )
    body += "\n\n" + _(
        "The link works until %(when)s; after that, ask %(who)s for a new one.",
        when=readable_moment(invitation_expires_at(member)),
        who=actor.full_name,
    )
    db.session.flush()
    _outbox(
        kind="group_invitation",
        # One message per invitation sent: a new link is a new message.
        key=f"group:{group.id}:member:{member.id}:invitation:{member.invitation_token_hash[:16]}",
        subject=_("%(who)s invites you to join %(group)s", who=actor.full_name, group=group.name),
        body=body,
        email=member.email,
    )
    return token


def resend_invitation(group: ProponentGroup, member: GroupMember, *, actor: User) -> str:
    """Send a member who has not joined a new invitation link (a pending or expired one stops
    working); return its token."""
    if member.group_id != group.id:
        raise DomainError(_("This person is not a member of the group."))
    if member.joined_at is not None:
        raise DomainError(_("%(name)s has already joined the group.", name=member.full_name))
    token = _send_invitation(group, member, actor=actor)
    db.session.flush()
    return token


def invitation_for(token: str) -> GroupMember | None:
    """The invitation this token opens, if any; it may have expired (``invitation_expired``)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(GroupMember).where(GroupMember.invitation_token_hash == _token_hash(token))
    )


def accept_invitation(member: GroupMember, user: User) -> GroupMember:
    """The invited person joins, if logged in with the address the invitation was sent to
    and the invitation has not expired."""
    if invitation_expired(member):
        raise DomainError(
            _("This invitation has expired. Ask the group's representative for a new one.")
        )
    if normalise_email(user.email) != member.email:
        raise DomainError(
            _(
                "This invitation was sent to %(email)s: log in with that address to accept it.",
                email=member.email,
            )
        )
    member.user_id, member.joined_at, member.invitation_token_hash = user.id, utcnow(), None
    db.session.flush()
    return member


def remove_member(group: ProponentGroup, member: GroupMember) -> None:
    """Take someone out of the group (or withdraw their invitation)."""
    if member.group_id != group.id:
        raise DomainError(_("This person is not a member of the group."))
    group.members.remove(member)
    db.session.flush()


def choose_representative(group: ProponentGroup, member: GroupMember, *, actor: User) -> None:
    """Hand the group to a member who has joined; the former representative stays a member."""
    if member.group_id != group.id or member.user_id is None or member.joined_at is None:
        raise DomainError(
            _("Only a member who has joined with an account can represent the group."),
            field="member_id",
        )
    former = group.representative
    new = member.user
    group.members.remove(member)
    db.session.flush()
    group.representative_id = new.id
    if not any(m.user_id == former.id for m in group.members):
        group.members.append(
            GroupMember(
                full_name=former.full_name,
                email=normalise_email(former.email),
                user_id=former.id,
                tax_code=former.tax_code,
                joined_at=utcnow(),
            )
        )
    db.session.flush()
    append_event(
        "group_representative_changed",
        actor=actor,
        actor_role="citizen",
        payload={"group_id": group.id, "from_user_id": former.id, "to_user_id": new.id},
        public=False,
    )

"""A person's data download (GDPR art. 15 and 20): a ZIP of data.json and their files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

from sqlalchemy import inspect, or_, select

from commons.audit import personal
from commons.audit.models import AuditEvent
from commons.audit.operations import append_event
from commons.auth.models import User
from commons.consultation.models import Comment, JoinRequest
from commons.documents.models import Signature
from commons.extensions import db
from commons.groups.models import GroupMember, ProponentGroup
from commons.notifications.models import Notification
from commons.offers.models import HelpResponse, Post
from commons.privacy.models import ErasureRequest, PrivacyAcknowledgement
from commons.proposals.models import Proposal
from commons.uploads.models import Attachment
from commons.uploads.operations import path_of

# Columns never given out, even to their owner: secrets and their hashes.
SECRET_COLUMNS = {"password_hash", "session_generation", "invitation_token_hash"}


def _row(obj) -> dict:
    out = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key in SECRET_COLUMNS:
            continue
        value = getattr(obj, column.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        out[column.key] = value
    return out


def _all(stmt) -> list[dict]:
    return [_row(o) for o in db.session.scalars(stmt)]


def collect(user: User) -> dict:
    """Everything the registry holds about ``user``, as JSON-ready data."""
    uid = user.id
    groups = select(ProponentGroup.id).where(ProponentGroup.representative_id == uid)
    member_of = select(GroupMember.group_id).where(GroupMember.user_id == uid)
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == uid,
                AuditEvent.payload["user_id"].as_integer() == uid,
            )
        )
        .order_by(AuditEvent.seq)
    ).all()
    shown = personal.revealed(events)
    return {
        "account": _row(user) | {"roles": sorted(r.value for r in user.roles)},
        "groups": _all(
            select(ProponentGroup).where(
                or_(ProponentGroup.id.in_(groups), ProponentGroup.id.in_(member_of))
            )
        ),
        "memberships": _all(select(GroupMember).where(GroupMember.user_id == uid)),
        "proposals_represented": _all(
            select(Proposal).where(Proposal.representative_id == uid).order_by(Proposal.id)
        ),
        "signatures": _all(select(Signature).where(Signature.signer_id == uid)),
        "comments": _all(select(Comment).where(Comment.author_id == uid)),
        "join_requests": _all(select(JoinRequest).where(JoinRequest.user_id == uid)),
        "offers_and_needs_posted": _all(
            select(Post).where(Post.author_id == uid).order_by(Post.id)
        ),
        "help_offered": _all(
            select(HelpResponse).where(HelpResponse.user_id == uid).order_by(HelpResponse.id)
        ),
        "notifications": _all(
            select(Notification).where(Notification.recipient_id == uid).order_by(Notification.id)
        ),
        "privacy_acknowledgements": _all(
            select(PrivacyAcknowledgement).where(PrivacyAcknowledgement.user_id == uid)
        ),
        "erasure_requests": _all(select(ErasureRequest).where(ErasureRequest.user_id == uid)),
        "files": _all(select(Attachment).where(Attachment.owner_id == uid)),
        "audit_events": [
            {
                "seq": e.seq,
                "occurred_at": e.occurred_at.isoformat(),
                "trigger": e.trigger,
                "proposal_id": e.proposal_id,
                "role": e.actor_role,
                "as_actor": e.actor_id == uid,
                "payload": shown[e.seq],
            }
            for e in events
        ],
    }


def build_zip(user: User) -> bytes:
    """The ZIP: ``data.json`` and, under ``files/``, every file the person uploaded; records
    the download in the audit log (the caller commits)."""
    data = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str)
        )
        for attachment in db.session.scalars(
            select(Attachment).where(Attachment.owner_id == user.id)
        ):
            path = path_of(attachment)
            if path.exists():
                safe = attachment.original_name.replace("/", "_").replace("\\", "_")
                archive.write(path, f"files/{attachment.id}-{safe}")
    append_event(
        "personal_data_downloaded",
        actor=user,
        actor_role="citizen",
        payload={"user_id": user.id, "file_count": len(data["files"])},
        public=False,
    )
    return buffer.getvalue()

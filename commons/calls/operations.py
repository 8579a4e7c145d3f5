"""Changes to calls: loading one from its file, moving it along its states, applying to it,
the photos and plans of its information sheets.
Each change appends an audit event (sentences in commons/audit/sentences_calls.py); the
operations flush, the entry point commits. Evaluation and ranking: commons.calls.evaluation.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from commons.audit.operations import append_event
from commons.auth.models import Role, User
from commons.calls.callfile import CallData
from commons.calls.deadlines import after_deadline, open_batch
from commons.calls.models import (
    CALL_FLOW,
    Call,
    CallApplication,
    CallBatch,
    CallCommons,
    CallEvaluator,
    CallStatus,
    ConsortiumPartner,
    Criterion,
    SheetFile,
)
from commons.db import utcnow
from commons.errors import Conflict, DomainError
from commons.extensions import db
from commons.groups.models import GroupKind
from commons.proposals import operations as proposal_ops
from commons.registry.models import Commons
from commons.uploads.operations import delete_attachment, save_upload


def _user(email: str, role: Role, what: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        raise DomainError(
            _("%(what)s: no account has the address %(email)s.", what=what, email=email)
        )
    if not user.has_role(role):
        raise DomainError(
            _(
                "%(what)s: %(email)s does not hold the role %(role)s.",
                what=what,
                email=email,
                role=role,
            )
        )
    return user


def load_call(data: CallData, *, actor: User | None = None, now=None) -> Call:
    """A new call in draft from a checked call file (``callfile.parse``)."""
    if db.session.scalar(select(Call.id).where(Call.reference == data.reference)):
        raise DomainError(
            _(
                "A call with the reference %(ref)s exists already: change the reference.",
                ref=data.reference,
            ),
            field="reference",
        )
    call = Call(
        reference=data.reference,
        title=data.title,
        text=data.text,
        themes=data.themes,
        proponent_kinds=data.proponent_kinds,
        min_groups=data.min_groups,
        no_advantage_required=data.no_advantage_required,
        questions=data.questions,
        faq=data.faq,
        threshold=data.threshold,
        act_kind=data.act_kind,
    )
    if data.chair:
        call.chair = _user(data.chair, Role.OFFICER, _("chair"))
    for email in data.evaluators:
        call.evaluators.append(CallEvaluator(user=_user(email, Role.EVALUATOR, _("evaluators"))))
    for offer in data.commons:
        commons = db.session.get(Commons, offer["id"])
        if commons is None:
            raise DomainError(_("commons: no commons has the id %(id)s.", id=offer["id"]))
        call.offers.append(
            CallCommons(commons=commons, **{k: v for k, v in offer.items() if k != "id"})
        )
    call.batches = [CallBatch(**batch) for batch in data.batches]
    call.criteria = [Criterion(position=n, **item) for n, item in enumerate(data.criteria)]
    db.session.add(call)
    db.session.flush()
    append_event(
        "call_created",
        actor=actor,
        actor_role=Role.OFFICER.value if actor else None,
        payload={"call_id": call.id, "reference": call.reference, "name": call.title},
        occurred_at=now,
    )
    return call


def _move(call: Call, to: CallStatus, actor, trigger: str, now=None, **payload) -> None:
    """Move ``call`` one step along CALL_FLOW, recording ``trigger``."""
    if CALL_FLOW.get(CallStatus(call.status)) != to:
        raise Conflict(
            _(
                "The call is %(status)s: this step does not apply now.",
                status=status_label(call.status),
            )
        )
    from_status = call.status
    call.status = to.value
    db.session.flush()
    append_event(
        trigger,
        actor=actor,
        actor_role=Role.OFFICER.value if actor else None,
        payload={"call_id": call.id, "reference": call.reference, "from": from_status, **payload},
        occurred_at=now,
    )


def status_label(status: str) -> str:
    from commons.calls.labels import STATUS_LABELS

    return str(STATUS_LABELS.get(status, status))


def publish(call: Call, *, actor, now=None) -> None:
    """Announce the call (it cannot change its grid or panel afterwards)."""
    if call.chair is None:
        raise DomainError(_("Name the chair of the panel before publishing the call."))
    if not call.evaluators:
        raise DomainError(_("Name the evaluators before publishing the call."))
    _move(call, CallStatus.PUBLISHED, actor, "call_published", now=now)


def open_call(call: Call, *, actor, now: datetime | None = None) -> None:
    """Start receiving applications."""
    now = now or utcnow()
    if open_batch(call, now) is None:
        raise DomainError(_("Every deadline of the call has passed: it cannot open."))
    _move(call, CallStatus.OPEN, actor, "call_opened", now=now)


def close_batches(call: Call, *, now: datetime | None = None, actor=None) -> list[CallBatch]:
    """Close the batches whose deadline has passed; the call closes with its last one."""
    now = now or utcnow()
    closed = []
    if call.status != CallStatus.OPEN:
        return closed
    for batch in call.batches:
        if batch.closed_at is None and batch.deadline <= now:
            batch.closed_at = now
            closed.append(batch)
            append_event(
                "call_batch_closed",
                actor=actor,
                payload={"call_id": call.id, "reference": call.reference, "name": batch.label},
                occurred_at=now,
            )
    if all(b.closed_at is not None for b in call.batches):
        _move(call, CallStatus.CLOSED, actor, "call_closed", now=now)
    return closed


def start_evaluation(call: Call, *, actor, now=None) -> None:
    _move(call, CallStatus.EVALUATING, actor, "call_evaluation_started", now=now)


def archive(call: Call, *, actor) -> None:
    _move(call, CallStatus.ARCHIVED, actor, "call_archived")


# --- applying ---------------------------------------------------------------------------


def apply_to_call(
    call: Call,
    *,
    representative: User,
    group,
    title: str,
    theme: str | None,
    commons_ids: list[int],
    partners: list[dict] = (),
    answers: dict | None = None,
    no_advantage: bool = False,
    now: datetime | None = None,
    **draft,
) -> CallApplication:
    """Start the proposal answering ``call``: a draft of the normal lifecycle with the call's
    commons and theme, linked to the batch open now; the proponents complete and submit it
    with the usual steps (submission is refused after the batch's deadline)."""
    now = now or utcnow()
    answers = {k: (v or "").strip() for k, v in (answers or {}).items()}
    if call.status != CallStatus.OPEN:
        raise DomainError(_("The call is not receiving applications."))
    if len(call.themes) > 1 and theme not in call.theme_keys:
        raise DomainError(_("Choose the theme of the call you answer."), field="theme")
    theme = theme if theme in call.theme_keys else call.theme_keys[0]
    batch = open_batch(call, now, theme)
    if batch is None:
        last = max(
            (b for b in call.batches if not b.themes or theme in b.themes), key=lambda b: b.deadline
        )
        raise DomainError(after_deadline(call, last, now, theme))
    offered = {o.commons_id: o for o in call.offers if not o.themes or theme in o.themes}
    chosen = [offered[i].commons for i in commons_ids if i in offered]
    if not chosen or len(chosen) != len(set(commons_ids)):
        raise DomainError(
            _("Choose one or more of the commons the call offers for this theme."), field="commons"
        )
    if call.proponent_kinds and group.kind not in call.proponent_kinds:
        raise DomainError(
            _(
                "This call is open to: %(kinds)s.",
                kinds=", ".join(kind_label(k) for k in call.proponent_kinds),
            ),
            field="group",
        )
    partner_rows = []
    for n, partner in enumerate(partners, 1):
        name = (partner.get("name") or "").strip()
        kind = partner.get("kind") or GroupKind.ASSOCIATION.value
        if not name:
            continue
        if kind not in [k.value for k in GroupKind] or (
            call.proponent_kinds and kind not in call.proponent_kinds
        ):
            raise DomainError(
                _("Partner %(n)d: choose a kind of proponent the call accepts.", n=n),
                field="partners",
            )
        partner_rows.append(
            ConsortiumPartner(
                name=name[:200], kind=kind, email=(partner.get("email") or "").strip() or None
            )
        )
    if 1 + len(partner_rows) < call.min_groups:
        raise DomainError(
            _(
                "This call asks for a consortium of at least %(n)d groups: add the partner groups "
                "(the lead group counts as one).",
                n=call.min_groups,
            ),
            field="partners",
        )
    for question in call.questions:
        if question["required"] and not answers.get(question["key"]):
            raise DomainError(
                _("Answer: %(q)s", q=question["text"]), field=f"answer_{question['key']}"
            )
    if call.no_advantage_required and not no_advantage:
        raise DomainError(
            _(
                "This call requires the declaration that the proposal brings no direct or "
                "indirect economic advantage."
            ),
            field="no_advantage",
        )
    proposal = proposal_ops.create_draft(
        representative=representative, group=group, title=title, commons=chosen, now=now, **draft
    )
    application = CallApplication(
        call=call,
        batch=batch,
        proposal=proposal,
        theme=theme,
        answers={q["key"]: answers.get(q["key"], "") for q in call.questions},
        no_advantage_declared_at=now if no_advantage else None,
        partners=partner_rows,
    )
    db.session.add(application)
    db.session.flush()
    append_event(
        "call_applied",
        actor=representative,
        actor_role=Role.CITIZEN.value,
        proposal=proposal,
        payload={
            "call_id": call.id,
            "reference": call.reference,
            "name": batch.label,
            "groups": application.group_count,
        },
        public=False,
        occurred_at=now,
    )
    return application


def move_to_next_batch(
    application: CallApplication, *, actor, now: datetime | None = None
) -> CallBatch:
    """A draft that missed its batch's deadline goes to the next batch of its theme."""
    now = now or utcnow()
    if not application.proposal.is_draft:
        raise Conflict(_("The proposal was submitted already."))
    batch = open_batch(application.call, now, application.theme)
    if batch is None or application.call.status != CallStatus.OPEN:
        raise DomainError(_("The call has no later deadline."))
    if batch.id == application.batch_id:
        return batch
    application.batch = batch
    db.session.flush()
    append_event(
        "call_batch_changed",
        actor=actor,
        actor_role=Role.CITIZEN.value,
        proposal=application.proposal,
        payload={"call_id": application.call_id, "name": batch.label},
        public=False,
    )
    return batch


# --- the information sheets' photos and plans ------------------------------------------------

SHEET_PURPOSE = "call_sheet"


def add_sheet_file(offer: CallCommons, file, *, description: str, actor: User) -> SheetFile:
    """Add a photo (JPEG, PNG) or a plan (PDF) to the information sheet of an offered commons,
    with the words that describe it (a photo's alternative text, a plan's title). The file is
    checked as every upload is (size, quota, type sniffed from its content)."""
    call = offer.call
    if call.status == CallStatus.ARCHIVED:
        raise Conflict(_("The call is archived: its information sheets no longer change."))
    description = " ".join((description or "").split())
    if not description:
        raise DomainError(
            _("Describe the file: what the photo shows, or the title of the plan."),
            field="description",
        )
    attachment = save_upload(
        file, owner=actor, purpose=SHEET_PURPOSE, linked_id=offer.id, field="file"
    )
    sheet = SheetFile(offer=offer, attachment=attachment, description=description[:300])
    db.session.add(sheet)
    db.session.flush()
    append_event(
        "call_sheet_file_added",
        actor=actor,
        actor_role=Role.OFFICER.value,
        payload={
            "call_id": call.id,
            "reference": call.reference,
            "name": offer.commons.name,
            "file": attachment.original_name,
            "sha256": attachment.sha256,
        },
    )
    return sheet


def remove_sheet_file(sheet: SheetFile, *, actor: User) -> None:
    """Take a photo or plan off the information sheet (the file is deleted)."""
    offer, attachment = sheet.offer, sheet.attachment
    call = offer.call
    if call.status == CallStatus.ARCHIVED:
        raise Conflict(_("The call is archived: its information sheets no longer change."))
    payload = {
        "call_id": call.id,
        "reference": call.reference,
        "name": offer.commons.name,
        "file": attachment.original_name,
        "sha256": attachment.sha256,
    }
    db.session.delete(sheet)
    db.session.flush()
    delete_attachment(attachment)
    append_event(
        "call_sheet_file_removed",
        actor=actor,
        actor_role=Role.OFFICER.value,
        payload=payload,
    )


def kind_label(kind: str) -> str:
    from commons.groups.operations import kind_labels

    return str(kind_labels().get(kind, kind))

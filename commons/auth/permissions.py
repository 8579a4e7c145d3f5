"""The one permission function: ``can(user, action, obj=None)``.

Views, templates, the API and the workflow engine all ask here, so the screen, the API and the
engine never disagree. Rules are per role and, where an object is given, per object.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from commons.auth.models import Role

STAFF = (Role.OFFICER, Role.LEGAL, Role.AUDITOR, Role.ADMIN)

Rule = Callable[[object, object], bool]
RULES: dict[str, Rule] = {}


def rule(action: str):
    """Register the function deciding ``action``; it receives (user, obj)."""

    def register(fn: Rule) -> Rule:
        RULES[action] = fn
        return fn

    return register


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _has(user, *roles: Role) -> bool:
    return _authenticated(user) and user.has_role(*roles)


def _in_tag(proposal, tag: str) -> bool:
    """Whether the proposal's state has ``tag`` in its profile (never a state's name)."""
    from commons.lifecycle.states import is_tagged

    return is_tagged(proposal, tag)


# Lifecycle triggers ("fire:<trigger>"): the profile's transition table says which roles may
# fire them. The lifecycle engine decides; commons.lifecycle plugs its rule in here, so that
# commons.auth does not import the engine (an import contract forbids it).
TriggerRule = Callable[[object, object, str], bool]
_TRIGGER_RULE: list[TriggerRule] = []


def trigger_rule(fn: TriggerRule) -> TriggerRule:
    """Register the function deciding every ``fire:<trigger>``: (user, proposal, trigger)."""
    _TRIGGER_RULE[:] = [fn]
    return fn


def can(user, action: str, obj=None) -> bool:
    """True when ``user`` (possibly anonymous) may do ``action`` on ``obj``."""
    if action.startswith("fire:"):
        if not _TRIGGER_RULE:
            raise KeyError(f"no permission rule for action {action!r}: the lifecycle is not set up")
        return obj is not None and _TRIGGER_RULE[0](user, obj, action[5:])
    fn = RULES.get(action)
    if fn is None:
        # An unknown action is a programming error; refusing keeps the system safe.
        raise KeyError(f"no permission rule for action {action!r}")
    return bool(fn(user, obj))


def is_proponent(user, proposal) -> bool:
    """The user is the representative or a member of the proposal's group."""
    if not _authenticated(user):
        return False
    if proposal.representative_id == user.id:
        return True
    return proposal.group is not None and proposal.group.has_member(user)


@rule("admin.users")
def _admin_users(user, obj):
    return _has(user, Role.ADMIN)


@rule("privacy.manage")
def _privacy_manage(user, obj):
    """Edit the privacy notice and carry out erasure requests."""
    return _has(user, Role.ADMIN)


@rule("account.manage")
def _account(user, obj):
    return _authenticated(user)


@rule("commons.view")
def _commons_view(user, obj):
    return True


@rule("commons.edit")
def _commons_edit(user, obj):
    return _has(user, Role.OFFICER, Role.ADMIN)


@rule("dossier.edit")
def _dossier_edit(user, obj):
    """The asset dossier and its inspections: the office keeps them."""
    return _has(user, Role.OFFICER, Role.ADMIN)


@rule("dossier.view_private")
def _dossier_view_private(user, obj):
    """The owner's contact, access notes and cadastral detail: staff only."""
    return _has(user, Role.OFFICER, Role.LEGAL, Role.AUDITOR, Role.ADMIN)


@rule("vacancy.report")
def _vacancy_report(user, obj):
    """Report an empty or derelict place: anyone logged in who may act (not an auditor,
    who only reads)."""
    return _has(user, Role.CITIZEN, Role.OFFICER, Role.LEGAL, Role.ADMIN)


@rule("vacancy.moderate")
def _vacancy_moderate(user, obj):
    """List a reported place as a commons or decline the report: the office."""
    return _has(user, Role.OFFICER, Role.ADMIN)


@rule("vacancy.view")
def _vacancy_view(user, obj):
    """A vacancy report (with its photo): the staff, and whoever reported it."""
    if _has(user, *STAFF):
        return True
    return obj is not None and _authenticated(user) and obj.reporter_id == user.id


@rule("proposal.create")
def _proposal_create(user, obj):
    return _has(user, Role.CITIZEN)


@rule("proposal.view")
def _proposal_view(user, obj):
    """The public summary: anyone, once the proposal has left the proponent's drafts (the
    rule of ``Proposal.visible_to``, which lists do in SQL)."""
    if obj.is_public:
        return True
    return is_proponent(user, obj)


@rule("proposal.view_private")
def _proposal_view_private(user, obj):
    """Private parts (personal data, attachments, internal history): proponents and staff."""
    if is_proponent(user, obj):
        return True
    return obj.is_public and _has(user, *STAFF)


@rule("document.read")
def _document_read(user, obj):
    """An issued pact PDF (``obj``, a Document): a signed pact is a public act; the final and
    draft documents stay with those who see the proposal's private parts."""
    if obj.kind == "signed":
        return True
    if obj.kind == "signed_upload" and obj.proposal.is_public and _all_signed(obj.proposal):
        # A party's own signed copy is part of the signed act once every party has signed.
        return True
    return _proposal_view_private(user, obj.proposal)


def _all_signed(proposal) -> bool:
    from sqlalchemy import select

    from commons.documents.models import Document
    from commons.extensions import db

    return (
        db.session.scalar(
            select(Document.id)
            .where(Document.proposal_id == proposal.id, Document.kind == "signed")
            .limit(1)
        )
        is not None
    )


@rule("proposal.edit")
def _proposal_edit(user, obj):
    return obj.is_draft and _authenticated(user) and obj.representative_id == user.id


@rule("proposal.application")
def _proposal_application(user, obj):
    """The application pages are the representative's: steps while a draft, then only the
    confirmation and receipt (everyone else follows the proposal on its case page)."""
    return _authenticated(user) and obj.representative_id == user.id


@rule("pact.preview")
def _pact_preview(user, obj):
    """A draft PDF is stored when first asked for: proponents and staff, not auditors, who only
    read (they see every version on its page and the issued documents)."""
    if is_proponent(user, obj):
        return True
    return obj.is_public and _has(user, Role.OFFICER, Role.LEGAL, Role.ADMIN)


@rule("pact.edit")
def _pact_edit(user, obj):
    """During co-design the office and the representative edit the pact text."""
    if not _in_tag(obj, "co_design") or not _authenticated(user):
        return False
    return obj.representative_id == user.id or user.has_role(Role.OFFICER)


@rule("proposal.co_design")
def _proposal_co_design(user, obj):
    """Meetings and technical opinions are recorded by the office during co-design."""
    return _in_tag(obj, "co_design") and _has(user, Role.OFFICER)


@rule("proposal.summary_edit")
def _proposal_summary_edit(user, obj):
    """The office prepares the public summary (and its translations) until admission
    publishes it; nobody changes it afterwards."""
    from commons.summaries.operations import editable

    return _has(user, Role.OFFICER) and editable(obj)


@rule("group.manage")
def _group_manage(user, obj):
    return _authenticated(user) and obj.representative_id == user.id


@rule("group.view")
def _group_view(user, obj):
    return obj.has_member(user) or _has(user, *STAFF)


@rule("attachment.view")
def _attachment_view(user, obj):
    """Files are private: their owner, and whoever sees the proposal's private parts."""
    if not _authenticated(user):
        return False
    if obj.owner_id == user.id:
        return True
    return obj.proposal is not None and _proposal_view_private(user, obj.proposal)


@rule("attachment.delete")
def _attachment_delete(user, obj):
    """The owner removes a file while the proposal is still a draft; filed files stay."""
    if not _authenticated(user) or obj.owner_id != user.id:
        return False
    return obj.proposal is None or obj.proposal.is_draft


@rule("pact.comment")
def _pact_comment(user, obj):
    """During co-design the representative and the group's members comment on the pact."""
    return _in_tag(obj, "co_design") and is_proponent(user, obj)


@rule("group.create")
def _group_create(user, obj):
    return _has(user, Role.CITIZEN)


@rule("import.correct")
def _import_correct(user, obj):
    """Correcting what an import recorded of a proposal: the collaboration office."""
    return _has(user, Role.OFFICER, Role.LEGAL, Role.ADMIN)


@rule("office.queue")
def _office_queue(user, obj):
    """The work queue of open cases: the collaboration office, legal officers, admins."""
    return _has(user, Role.OFFICER, Role.LEGAL, Role.ADMIN)


@rule("notifications.read")
def _notifications_read(user, obj):
    return _authenticated(user)


@rule("notification.mark_read")
def _notification_mark_read(user, obj):
    """A notification to a person is theirs; one to a role belongs to every holder of it."""
    if not _authenticated(user):
        return False
    if obj.recipient_id is not None:
        return obj.recipient_id == user.id
    return obj.recipient_role is not None and user.has_role(obj.recipient_role)


@rule("consultation.comment")
def _consultation_comment(user, obj):
    """Any registered citizen may comment on a proposal while it is under public notice; an
    account with only staff roles (an auditor's, say) acts for the city, not as the public."""
    return _has(user, Role.CITIZEN) and _in_tag(obj, "public_notice")


@rule("consultation.join")
def _consultation_join(user, obj):
    return _consultation_comment(user, obj) and not is_proponent(user, obj)


@rule("join_requests.view")
def _join_requests_view(user, obj):
    """Requests to join a group (``obj``), with the requester's name and message: the group's
    representative and members, and the office (the form tells the requester so)."""
    return _group_view(user, obj)


@rule("join_request.decide")
def _join_request_decide(user, obj):
    """Accepting or declining a request to join (``obj``) is the group representative's, as
    adding a member is."""
    group = obj.proposal.group
    return _authenticated(user) and group is not None and group.representative_id == user.id


@rule("consultation.moderate")
def _consultation_moderate(user, obj):
    return _has(user, Role.OFFICER)


@rule("audit.read")
def _audit_read(user, obj):
    return _has(user, Role.AUDITOR)


@rule("audit.export")
def _audit_export(user, obj):
    return _has(user, Role.AUDITOR)


@rule("audit.export_download")
def _audit_export_download(user, obj):
    """An export job's file: only the auditor who started it (not admins: an export gathers
    personal data for that auditor's task)."""
    return _has(user, Role.AUDITOR) and obj.user_id == user.id


# --- calls on listed commons (commons/calls) ------------------------------------------------


@rule("call.manage")
def _call_manage(user, obj):
    """Loading, publishing, opening, closing and archiving calls: the collaboration office."""
    return _has(user, Role.OFFICER, Role.ADMIN)


@rule("call.sheet")
def _call_sheet(user, obj):
    """Adding and removing the photos and plans of a call's information sheets (``obj``: the
    call): the collaboration office, until the call is archived."""
    from commons.calls.models import CallStatus

    return _has(user, Role.OFFICER, Role.ADMIN) and obj.status != CallStatus.ARCHIVED


@rule("call.view")
def _call_view(user, obj):
    """A call is public once published; its draft is the office's."""
    from commons.calls.models import CallStatus

    return obj.status != CallStatus.DRAFT or _has(user, Role.OFFICER, Role.ADMIN)


@rule("call.apply")
def _call_apply(user, obj):
    from commons.calls.models import CallStatus

    return _has(user, Role.CITIZEN) and obj.status == CallStatus.OPEN


def _on_panel(user, call) -> bool:
    return _authenticated(user) and any(e.user_id == user.id for e in call.evaluators)


@rule("call.evaluate")
def _call_evaluate(user, obj):
    """Declaring and scoring (``obj``: the call): its evaluators holding the evaluator role,
    while a batch of the call is being evaluated (``CallBatch.in_evaluation``)."""
    return obj.in_evaluation and _has(user, Role.EVALUATOR) and _on_panel(user, obj)


@rule("call.chair")
def _call_chair(user, obj):
    """Divergences, consensus, exclusions, ranking and the act: the chair, an officer."""
    return _has(user, Role.OFFICER) and obj.chair_id == user.id


@rule("call.results")
def _call_results(user, obj):
    """Scores, reasons and ranking (``obj``: the call): public once the act of one of its
    batches is recorded; before, the chair and the office. Which batches: call.batch_results."""
    return obj.results_public or _has(user, Role.OFFICER, Role.AUDITOR)


# --- offers and needs, results (commons/offers) ---------------------------------------------


@rule("offer.start")
def _offer_start(user, obj):
    """The pages to post an offer or a need and to list one's posts: citizens (the form offers
    the groups they belong to) and the office (for the city). An account with only other
    staff roles (an auditor's) acts for neither."""
    return _has(user, Role.CITIZEN, Role.OFFICER, Role.ADMIN)


@rule("offer.post")
def _offer_post(user, obj):
    """Posting for a group (``obj``): a citizen who is a member of it; for the city (``obj``
    None): the office's staff."""
    if obj is None:
        return _has(user, Role.OFFICER, Role.ADMIN)
    return _has(user, Role.CITIZEN) and obj.has_member(user)


@rule("offer.view")
def _offer_view(user, obj):
    """A post the office published (still open or closed since): anyone. Before, or when it
    was not published: its author, the members of the group it is for, and the office."""
    if obj.was_published:
        return True
    if not _authenticated(user):
        return False
    if obj.author_id == user.id or user.has_role(Role.OFFICER, Role.ADMIN):
        return True
    return obj.group is not None and obj.group.has_member(user)


@rule("offer.moderate")
def _offer_moderate(user, obj):
    """Publishing or rejecting posts, and their queue: the collaboration office."""
    return _has(user, Role.OFFICER)


@rule("offer.close")
def _offer_close(user, obj):
    """Closing a post (fulfilled, withdrawn): its author or the office, while it is open."""
    from commons.offers.models import PostStatus

    if obj.status not in (PostStatus.PENDING, PostStatus.PUBLISHED) or not _authenticated(user):
        return False
    return obj.author_id == user.id or user.has_role(Role.OFFICER)


@rule("offer.respond")
def _offer_respond(user, obj):
    """Saying "I can help" on a post (the operation takes answers while it is published):
    any citizen but its author. Staff-only accounts act for the city, not as the public."""
    return _has(user, Role.CITIZEN) and obj.author_id != user.id


@rule("offer.responses")
def _offer_responses(user, obj):
    """The answers to a post, with the contact details they carry: only whoever posted it
    (nobody else, not the office: the people answering gave them to the poster)."""
    return _authenticated(user) and obj.author_id == user.id


@rule("results.photo")
def _results_photo(user, obj):
    """A monitoring report's photo (``obj``, an Attachment): public with the results of its
    pact while the pact is in force, if the representative agreed to publish the report's
    photos; otherwise as any attachment."""
    from commons.extensions import db
    from commons.monitoring.models import MonitoringReport
    from commons.proposals.standing import standing

    if obj.purpose == "report_photo" and obj.proposal is not None and obj.linked_id is not None:
        report = db.session.get(MonitoringReport, obj.linked_id)
        published = report is not None and report.photos_public
        if published and report.proposal_id == obj.proposal_id and standing(obj.proposal).in_force:
            return True
    return _attachment_view(user, obj)


@rule("call.batch_results")
def _call_batch_results(user, obj):
    """One batch's scores, reasons and ranking (``obj``: the batch): public once its own act
    is recorded; before, the chair and the office (once it is ranked)."""
    return obj.ranked_at is not None and (
        obj.results_public or _has(user, Role.OFFICER, Role.AUDITOR)
    )


def permission_required(action: str, load: Callable | None = None):
    """Route decorator: anonymous users go to the login page, others without the right get 403.

    ``load`` may turn the view's keyword arguments into the object to check.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from commons.extensions import login_manager

                return login_manager.unauthorized()
            obj = load(**kwargs) if load else None
            if not can(current_user, action, obj):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def ensure(action: str, obj=None) -> None:
    """Abort with 403 unless the current user may do ``action`` on ``obj``."""
    if not can(current_user, action, obj):
        abort(403)

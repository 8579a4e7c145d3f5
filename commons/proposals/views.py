"""Proposal pages: the case page with its timeline, clocks and actions, and "my proposals"."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

import workflows
from commons import limits
from commons.audit.models import AuditEvent
from commons.auth.models import User
from commons.auth.oidc_views import on_fresh_login, start_fresh_login
from commons.auth.permissions import can, ensure
from commons.errors import DomainError
from commons.extensions import db
from commons.formatting import city_day, format_day
from commons.groups.models import GroupMember
from commons.lifecycle.states import is_tagged
from commons.payloads import moment_html, readable_moment
from commons.proposals import operations
from commons.proposals.forms import attachment_kinds, attachment_label, field_spec
from commons.proposals.labels import state_label, trigger_label
from commons.proposals.models import Proposal, TechnicalOpinion
from commons.proposals.queries import repeated_firing
from commons.proposals.standing import city_today, standing
from commons.transactions import Transition, commit_step, transaction
from workflows.clocks import review_elapsed, review_running
from workflows.guards import renewal_opens_on

proposals_bp = Blueprint("proposals", __name__, url_prefix="/proposals")

FORM_FIELDS = {"expected_version", "csrf_token"}


def _load(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure("proposal.view", proposal)
    return proposal


def _clocks(proposal: Proposal, now: datetime) -> list[dict]:
    """The clocks that matter for this proposal now, in words and numbers."""
    profile = workflows.get_profile(proposal.profile)
    clocks = []
    if proposal.review_started_at is not None:
        limit = int(profile.clocks["review_days"])
        elapsed = review_elapsed(proposal, now).days
        if proposal.review_stopped_at is not None:
            status = _("stopped")
        elif proposal.review_paused_at is not None:
            status = _("paused while awaiting integration")
        else:
            status = _("running")
        clocks.append(
            {
                "name": _("Review"),
                "elapsed": elapsed,
                "limit": limit,
                "left": limit - elapsed,
                "status": status,
                "overdue": review_running(proposal) and elapsed > limit,
            }
        )
    for name, due in (
        (_("Reply to the integration request"), proposal.integration_due_at),
        (_("Public notice"), proposal.notice_ends_at),
        (_("Council deliberation"), proposal.deliberation_due_at),
    ):
        if due is not None and (
            due > now
            or any(
                is_tagged(proposal, t) for t in ("awaiting_reply", "public_notice", "deliberation")
            )
        ):
            clocks.append(
                {"name": name, "due": city_day(due), "left": (due - now).days, "overdue": due < now}
            )
    today = city_day(now)
    # Monitoring reports are due in the profile's ``reporting`` states (a granted renewal keeps
    # the old pact reporting).
    if proposal.next_report_due_on and is_tagged(proposal, "reporting"):
        clocks.append(
            {
                "name": _("Next monitoring report"),
                "due": proposal.next_report_due_on,
                "left": (proposal.next_report_due_on - today).days,
                "overdue": proposal.next_report_due_on < today,
            }
        )
    if proposal.end_date and proposal.status in profile.in_force:
        clocks.append(
            {
                "name": _("End of the pact"),
                "due": proposal.end_date,
                "left": (proposal.end_date - today).days,
                "overdue": False,
            }
        )
    if proposal.withdrawal_effective_on:
        clocks.append(
            {
                "name": _("Withdrawal takes effect"),
                "due": proposal.withdrawal_effective_on,
                "left": (proposal.withdrawal_effective_on - today).days,
                "overdue": False,
            }
        )
    return clocks


def _timeline(proposal: Proposal, private: bool) -> list:
    """The history of the proposal in words (commons.audit.sentences); the public reads only
    its public events, without names."""
    from commons.audit.sentences import history_lines, people_named

    stmt = select(AuditEvent).where(AuditEvent.proposal_id == proposal.id)
    if not private:
        stmt = stmt.where(AuditEvent.public.is_(True))
    events = db.session.scalars(stmt.order_by(AuditEvent.seq)).all()
    ids = people_named(events) if private else set()
    names = (
        dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    files = (
        _minutes_files(proposal)
        if private and any(e.trigger == "meeting_recorded" for e in events)
        else {}
    )
    return history_lines(events, private=private, people=names, files=files)


def _reports(proposal: Proposal):
    """Monitoring reports, newest first, with their photos: two queries whatever the count."""
    from commons.monitoring.models import MonitoringReport
    from commons.uploads.operations import attachments_for

    reports = db.session.scalars(
        select(MonitoringReport)
        .where(MonitoringReport.proposal_id == proposal.id)
        .order_by(MonitoringReport.filed_at.desc(), MonitoringReport.id.desc())
    ).all()
    photos: dict[int, list] = {}
    if reports:
        for attachment in attachments_for(proposal, "report_photo"):
            if attachment.linked_id is not None:
                photos.setdefault(attachment.linked_id, []).append(attachment)
    return reports, photos


def _integration_request(proposal: Proposal) -> str | None:
    """What the office asked in its last integration request, while the answer is awaited."""
    if not is_tagged(proposal, "awaiting_reply"):
        return None
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.proposal_id == proposal.id, AuditEvent.trigger == "request_integration")
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    return (event.payload or {}).get("message") if event else None


def render_case(
    proposal: Proposal,
    *,
    errors: dict | None = None,
    failed: str | None = None,
    message: str | None = None,
    values: dict | None = None,
    status: int = 200,
    co_design_errors: dict | None = None,
    co_design_form: str | None = None,
):
    now = datetime.now(UTC)
    private = can(current_user, "proposal.view_private", proposal)
    actions = (
        workflows.allowed_triggers(proposal, current_user, now=now)
        if current_user.is_authenticated
        else []
    )
    from commons.documents.models import Document
    from commons.documents.operations import pact_level, signature_rows
    from commons.uploads.operations import attachments_for

    documents = [
        d
        for d in db.session.scalars(
            select(Document).where(Document.proposal_id == proposal.id).order_by(Document.id)
        )
        if can(current_user, "document.read", d)
    ]
    reports, report_photos = _reports(proposal) if private else ([], {})
    integration_request = _integration_request(proposal) if private else None
    attachments = (
        # Report photos and minutes files are shown with their report and their meeting.
        [a for a in attachments_for(proposal) if a.purpose not in ("report_photo", "minutes")]
        if private
        else []
    )
    co_design = _co_design(proposal) if private else None
    from commons.documents.terms import shown_term

    application = _application(proposal, attachments) if private else None
    return render_template(
        "proposals/case.html",
        term=shown_term(proposal, private=private),
        signatures=signature_rows(proposal) if documents else [],
        pact_level=pact_level(proposal) if documents else None,
        documents=documents,
        reports=reports,
        report_photos=report_photos,
        integration_request=integration_request,
        attachments=attachments,
        attachment_label=attachment_label,
        proposal=proposal,
        private=private,
        actions=actions,
        clocks=_clocks(proposal, now),
        timeline=_timeline(proposal, private),
        state_label=state_label,
        trigger_label=trigger_label,
        field_spec=field_spec,
        errors=errors or {},
        failed=failed,
        failure=message,
        values=values or {},
        profile=workflows.get_profile(proposal.profile),
        standing=standing(proposal),
        pact_standing=standing,
        co_design=co_design,
        may_co_design=can(current_user, "proposal.co_design", proposal),
        co_design_errors=co_design_errors or {},
        co_design_form=co_design_form,
        application=application,
    ), status


def _application(proposal: Proposal, attachments: list) -> dict:
    """The application as the applicant submitted it, the proponent's contacts, the receipt,
    and the pact version the legal officer approves or the parties sign (proposal.view_private
    only)."""
    from commons.documents.models import PactVersion
    from commons.groups.operations import kind_labels
    from commons.proposals.answers import application_answers

    group = proposal.group
    version = None
    if is_tagged(proposal, "approval"):
        version = PactVersion.latest_for(proposal)
    author = db.session.get(User, version.author_id) if version and version.author_id else None
    return {
        "answers": application_answers(
            proposal, [a for a in attachments if a.purpose in attachment_kinds()]
        ),
        "group": group,
        "group_kind": kind_labels().get(group.kind, group.kind),
        "group_link": can(current_user, "group.view", group),
        "receipt": proposal.protocol_number is not None,
        "version": version,
        "version_saved": moment_html(version.created_at) if version else None,
        "version_author": author.full_name if author else None,
    }


def _minutes_files(proposal: Proposal) -> dict[int, list]:
    """The minutes files of the proposal's meetings, by meeting id (one query)."""
    files: dict[int, list] = {}
    for attachment in proposal.minutes_files:
        files.setdefault(attachment.linked_id, []).append(attachment)
    return files


def _co_design(proposal: Proposal) -> dict:
    """Meetings and technical opinions, with the names of who recorded them (fixed queries)."""
    meetings, opinions = proposal.meetings, proposal.opinions
    ids = {m.recorded_by_id for m in meetings} | {o.recorded_by_id for o in opinions}
    ids.discard(None)
    names = (
        dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return {
        "meetings": meetings,
        "opinions": opinions,
        "names": names,
        "files": _minutes_files(proposal),
    }


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _co_design_refused(proposal: Proposal, form: str, error: DomainError):
    db.session.rollback()
    return render_case(
        proposal,
        co_design_errors={error.field or "form": error.message},
        co_design_form=form,
        values=dict(request.form),
        status=error.status_code,
    )


@proposals_bp.post("/<int:proposal_id>/meetings")
@login_required
def record_meeting(proposal_id: int):
    """Record a co-design meeting: date, attendees, minutes (text, and optionally a file).

    The minutes file goes through the uploads package (sniffed, size-capped, random name). If
    the form needs correcting, an accepted file is kept and offered again with the typed
    values, so nobody has to choose it twice; a refused file says why and keeps the rest.
    """
    from commons.uploads import operations as uploads

    proposal = _load(proposal_id)
    ensure("proposal.co_design", proposal)
    actor = current_user._get_current_object()
    errors: dict[str, str] = {}
    held_on = _parse_date(request.form.get("held_on"))
    if held_on is None:
        errors["held_on"] = _("Enter the date of the meeting, e.g. 2026-11-21.")
    kept = uploads.pending_attachments(
        request.form.getlist("minutes_file_id"), owner=actor, proposal=proposal, purpose="minutes"
    )
    minutes_file = kept[-1] if kept else None
    new_file = None
    file = request.files.get("minutes_file")
    if not uploads.is_empty(file):
        try:
            new_file = uploads.save_upload(
                file, owner=actor, purpose="minutes", proposal=proposal, field="minutes_file"
            )
        except uploads.UploadRejected as error:
            errors["minutes_file"] = error.message
        else:
            minutes_file = new_file
    if errors:
        commit_step()  # an accepted file waits for the corrected form
        values = dict(request.form)
        if minutes_file is not None:
            values["minutes_file_id"] = minutes_file.id
            values["minutes_file_name"] = minutes_file.original_name
        return render_case(
            proposal, co_design_errors=errors, co_design_form="meeting", values=values, status=422
        )
    try:
        with transaction():
            operations.record_meeting(
                proposal,
                actor=actor,
                held_on=held_on,
                attendees=request.form.get("attendees", ""),
                minutes=request.form.get("minutes", ""),
                minutes_file=minutes_file,
            )
    except DomainError as error:
        stray = uploads.path_of(new_file) if new_file is not None else None
        response = _co_design_refused(proposal, "meeting", error)
        if stray is not None:  # its row went with the rollback: remove the bytes too
            stray.unlink(missing_ok=True)
        return response
    flash(_("Meeting of %(day)s recorded.", day=format_day(held_on)), "success")
    return redirect(url_for("proposals.case", proposal_id=proposal.id) + "#co-design-title")


@proposals_bp.post("/<int:proposal_id>/opinions")
@login_required
def request_opinion(proposal_id: int):
    """Ask a department for a technical opinion."""
    proposal = _load(proposal_id)
    ensure("proposal.co_design", proposal)
    try:
        with transaction():
            opinion = operations.request_opinion(
                proposal,
                actor=current_user._get_current_object(),
                department=request.form.get("department", ""),
            )
    except DomainError as error:
        return _co_design_refused(proposal, "opinion", error)
    flash(_("Opinion requested from %(department)s.", department=opinion.department), "success")
    return redirect(url_for("proposals.case", proposal_id=proposal.id) + "#co-design-title")


@proposals_bp.post("/<int:proposal_id>/opinions/<int:opinion_id>")
@login_required
def record_opinion(proposal_id: int, opinion_id: int):
    """Record a department's answer: positive or negative, and its text."""
    proposal = _load(proposal_id)
    opinion = db.session.get(TechnicalOpinion, opinion_id)
    if opinion is None or opinion.proposal_id != proposal.id:
        abort(404)
    ensure("proposal.co_design", proposal)
    verdict = request.form.get("positive")
    try:
        if verdict not in ("yes", "no"):
            raise DomainError(_("Say whether the opinion is positive or negative."), "positive")
        with transaction():
            operations.record_opinion(
                opinion,
                actor=current_user._get_current_object(),
                positive=verdict == "yes",
                text=request.form.get("text", ""),
            )
    except DomainError as error:
        return _co_design_refused(proposal, f"opinion-{opinion.id}", error)
    flash(_("Opinion of %(department)s recorded.", department=opinion.department), "success")
    return redirect(url_for("proposals.case", proposal_id=proposal.id) + "#co-design-title")


@proposals_bp.get("/<int:proposal_id>")
def case(proposal_id: int):
    """The case page: state, clocks, timeline, and the actions this user may take now."""
    return render_case(_load(proposal_id))


@proposals_bp.post("/<int:proposal_id>/actions/<trigger>")
@login_required
def act(proposal_id: int, trigger: str):
    """Fire one lifecycle trigger with the data of its form."""
    proposal = _load(proposal_id)
    data = {k: v for k, v in request.form.items() if k not in FORM_FIELDS}
    # The upload form (a file signed with the party's own tool) says so: never typed instead.
    wants_upload = trigger == "sign" and data.pop("upload", None) == "y"
    upload = request.files.get("signed_file") if wants_upload else None
    signed_file = upload.read() if upload is not None and upload.filename else None
    if wants_upload and not signed_file:
        message = _("Choose the signed file: the final PDF signed with your tool, or its .p7m.")
        data.pop("password", None)
        return render_case(
            proposal,
            errors={"signed_file": message},
            failed=trigger,
            message=message,
            values={**data, "upload": "y"},
            status=422,
        )
    too_long = next((k for k, v in data.items() if len(v) > limits.REPORT), None)
    if too_long is not None:  # as the API's transition data: refused before anything runs
        message = limits.too_long(limits.REPORT, len(data[too_long]))
        data.pop("password", None)
        return render_case(
            proposal,
            errors={too_long: message},
            failed=trigger,
            message=message,
            values=data,
            status=422,
        )
    expected_version = request.form.get("expected_version", "")
    return _fire_from_form(proposal, trigger, data, expected_version, signed_file=signed_file)


def _fire_from_form(
    proposal: Proposal,
    trigger: str,
    data: dict,
    expected_version: str,
    *,
    signed_file: bytes | None = None,
):
    """Fire ``trigger`` with what the form sent (and the signed file uploaded, if any); the
    case page again, with it, on a refusal."""
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = None
    actor = current_user._get_current_object()

    def refused(error, status):
        if status == 422:
            data.pop("password", None)
            if signed_file is not None:
                data["upload"] = "y"  # the refusal is shown on the upload form
            return render_case(
                proposal,
                errors=error.fields,
                failed=trigger,
                message=error.message,
                values=data,
                status=422,
            )
        # Already done by someone else, or no longer possible in the current state.
        return render_case(proposal, failed=trigger, message=error.message, status=409)

    with Transition(
        refused=refused,
        # A double click: the first one did it, the second finds it done.
        already_done=lambda: repeated_firing(proposal, trigger, actor, expected) is not None,
    ) as fired:
        extra = {"signed_file": signed_file} if signed_file is not None else {}
        workflows.fire(proposal, trigger, actor, expected_version=expected, **data, **extra)
    if not fired:
        return fired.response
    flash(
        _(
            "Done: %(action)s. The proposal is now: %(state)s.",
            action=trigger_label(trigger),
            state=state_label(proposal.status),
        ),
        "success",
    )
    return redirect(url_for("proposals.case", proposal_id=proposal.id))


@proposals_bp.post("/<int:proposal_id>/sign/with/<provider>")
@login_required
def sign_with_provider(proposal_id: int, provider: str):
    """Sign from a session opened with an identity provider: first a fresh login there.

    The typed name and the consent wait in the session while the person logs in again at the
    provider; its answer comes back to ``_sign_after_fresh_login`` (commons/auth/reauth.py).
    """
    proposal = _load(proposal_id)
    ensure("fire:sign", proposal)  # before the trip to the provider; fire() checks it again
    data = {k: request.form.get(k, "")[: limits.REPORT] for k in ("full_name", "consent")}
    data.update(
        proposal_id=proposal.id,
        expected_version=request.form.get("expected_version", ""),
        back=url_for("proposals.case", proposal_id=proposal.id),
    )
    return start_fresh_login(provider, "sign", data)


@on_fresh_login("sign")
def _sign_after_fresh_login(data: dict, proof: str):
    proposal = _load(int(data["proposal_id"]))
    values = {"full_name": data.get("full_name", ""), "password": proof}
    if data.get("consent"):
        values["consent"] = data["consent"]
    return _fire_from_form(proposal, "sign", values, data.get("expected_version", ""))


def _deadline(proposal: Proposal):
    """The date that matters next for the proponents, with what it is."""
    if is_tagged(proposal, "awaiting_reply") and proposal.integration_due_at:
        return city_day(proposal.integration_due_at), _("reply to the office by")
    if is_tagged(proposal, "public_notice") and proposal.notice_ends_at:
        return city_day(proposal.notice_ends_at), _("public notice ends")
    if proposal.withdrawal_effective_on:
        return proposal.withdrawal_effective_on, _("withdrawal takes effect")
    if is_tagged(proposal, "reporting") and proposal.next_report_due_on:
        return proposal.next_report_due_on, _("next monitoring report due")
    in_force = workflows.get_profile(proposal.profile).in_force
    if proposal.status in in_force and proposal.end_date:
        return proposal.end_date, _("the pact ends")
    return None, None


def _next_actions(proposal: Proposal, user) -> list[str]:
    """What this user may do now, by the profile's table (no query: shown for every row)."""
    profile = workflows.get_profile(proposal.profile)
    triggers = [
        t
        for t in profile.triggers
        if profile.specs_for(t, proposal.status) and can(user, f"fire:{t}", proposal)
    ]
    # Withdrawing is possible almost always; it is never "the next thing to do".
    labels = []
    for t in triggers:
        if t == "withdraw":
            continue
        if t == "open_renewal":
            # Not offered before its window (the case page says the same with its reason).
            opens = renewal_opens_on(proposal, profile)
            if opens is not None and city_today() < opens:
                labels.append(_("Open renewal from %(date)s", date=readable_moment(opens)))
                continue
        labels.append(trigger_label(t))
    return labels


@proposals_bp.get("/mine")
@login_required
def mine():
    """My proposals: drafts to resume, then the others with state, next action and deadline."""
    from sqlalchemy.orm import selectinload

    from commons.apply.steps import first_missing_step

    member_of = select(GroupMember.group_id).where(GroupMember.user_id == current_user.id)
    rows = db.session.scalars(
        select(Proposal)
        .options(selectinload(Proposal.group))
        .where(or_(Proposal.representative_id == current_user.id, Proposal.group_id.in_(member_of)))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    ).all()
    drafts, others = [], []
    for p in rows:
        if p.status == workflows.get_profile(p.profile).initial:
            mine_to_edit = p.representative_id == current_user.id
            drafts.append({"p": p, "resume": first_missing_step(p) if mine_to_edit else None})
        else:
            due, due_what = _deadline(p)
            others.append(
                {
                    "p": p,
                    "actions": _next_actions(p, current_user),
                    "due": due,
                    "due_what": due_what,
                }
            )
    return render_template(
        "proposals/mine.html", drafts=drafts, proposals=others, state_label=state_label
    )

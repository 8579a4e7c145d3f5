"""Group pages: my groups, create a group, manage members, invitations and representative."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from commons.auth.permissions import can, ensure, permission_required
from commons.consultation import operations as consultation
from commons.consultation.forms import DeclineForm
from commons.consultation.models import JoinRequest
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.forms import FormTransaction, choices, form_status
from commons.groups import operations
from commons.groups.forms import GroupForm, MemberForm, RepresentativeForm
from commons.groups.models import GroupMember, ProponentGroup
from commons.links import public_link
from commons.notifications.mail import smtp_configured
from commons.payloads import readable_moment
from commons.transactions import transaction

groups_bp = Blueprint("groups", __name__, url_prefix="/groups")

DETAILS = ("tax_code", "address", "email", "phone")

# The session key holding, for one page view, an invitation link no e-mail carried.
UNSENT_INVITATION = "invitation_to_pass_on"


def _load(group_id: int, action: str) -> ProponentGroup:
    group = db.session.get(ProponentGroup, group_id) or abort(404)
    ensure(action, group)
    return group


def group_form(**kwargs) -> GroupForm:
    form = GroupForm(**kwargs)
    form.kind.choices = choices(operations.kind_labels().items())
    return form


def _representative_form(group: ProponentGroup, **kwargs) -> RepresentativeForm:
    form = RepresentativeForm(**kwargs)
    form.member_id.choices = choices(
        [("", _("Choose a member"))]
        + [(m.id, m.full_name) for m in group.members if m.user_id and m.joined_at]
    )
    return form


def _invitations(group: ProponentGroup) -> dict[int, dict]:
    """For each member who has not joined: when the invitation was sent, until when its link
    works, and whether it has expired."""
    now = utcnow()
    return {
        m.id: {
            "sent": m.invited_at if m.invitation_token_hash else None,
            "expires": operations.invitation_expires_at(m) if m.invitation_token_hash else None,
            "expired": bool(m.invitation_token_hash) and operations.invitation_expired(m, now),
        }
        for m in group.members
        if m.joined_at is None
    }


def _invitation_sent(group: ProponentGroup, member: GroupMember, token: str, *, again=False):
    """Tell the representative the invitation is on its way; with no mail server configured
    nothing is e-mailed, so the group page shows them the link to pass on themselves, once."""
    if smtp_configured():
        if again:
            message = _(
                "A new invitation is on its way to %(email)s; an earlier link no longer works.",
                email=member.email,
            )
        else:
            message = _("An invitation is on its way to %(email)s.", email=member.email)
        flash(message, "success")
        return
    session[UNSENT_INVITATION] = {
        "group": group.id,
        "member": member.id,
        "link": public_link("groups.join", token=token),
        "again": again,
    }


def _link_to_pass_on(group: ProponentGroup) -> dict | None:
    """The invitation link to show on this page view, if one was just made and not e-mailed."""
    entry = session.get(UNSENT_INVITATION)
    if not entry or entry.get("group") != group.id:
        return None
    session.pop(UNSENT_INVITATION)
    member = next((m for m in group.members if m.id == entry.get("member")), None)
    if member is None or member.joined_at is not None:
        return None
    g.no_store = True  # the page holds a link that lets someone join: keep it out of caches
    return {
        "member": member,
        "link": entry["link"],
        "again": entry.get("again", False),
        "expires": operations.invitation_expires_at(member),
    }


def _page(
    group,
    *,
    details=None,
    member=None,
    representative=None,
    decline=None,
    status=200,
):
    see_requests = can(current_user, "join_requests.view", group)
    pending = consultation.pending_for_group(group) if see_requests else []
    decline_forms = {j.id: DeclineForm(prefix=f"decline-{j.id}") for j in pending}
    if details is None:
        details = group_form(obj=group, prefix="details")
        details.start_from(group)
    if decline is not None:  # (request id, the form sent back with its errors)
        decline_forms[decline[0]] = decline[1]
    return (
        render_template(
            "groups/detail.html",
            group=group,
            details_form=details,
            member_form=member or MemberForm(prefix="member"),
            representative_form=representative or _representative_form(group, prefix="rep"),
            kinds=operations.kind_labels(),
            invitations=_invitations(group),
            pass_on=_link_to_pass_on(group) if can(current_user, "group.manage", group) else None,
            readable_moment=readable_moment,
            see_requests=see_requests,
            pending=pending,
            decided=consultation.decided_for_group(group) if see_requests else [],
            decline_forms=decline_forms,
        ),
        status,
    )


@groups_bp.get("/")
@login_required
def index():
    """The groups I represent or belong to."""
    return render_template(
        "groups/index.html",
        groups=operations.groups_of(current_user),
        kinds=operations.kind_labels(),
    )


@groups_bp.route("/new", methods=["GET", "POST"])
@permission_required("group.create")
def new():
    """Create a group with me as its representative."""
    form = group_form()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            group = operations.new_group(
                representative=current_user,
                name=form.name.data,
                kind=form.kind.data,
                **{k: getattr(form, k).data for k in DETAILS},
            )
        if saved:
            flash(_("The group %(name)s is created.", name=group.name), "success")
            return redirect(url_for("groups.detail", group_id=group.id))
    status = form_status(form)
    return render_template("groups/new.html", form=form), status


@groups_bp.get("/<int:group_id>")
@login_required
def detail(group_id: int):
    return _page(_load(group_id, "group.view"))


@groups_bp.post("/<int:group_id>")
@login_required
def edit(group_id: int):
    group = _load(group_id, "group.manage")
    form = group_form(prefix="details")
    if form.validate_on_submit():
        with FormTransaction(form, edited=group, stored=stored_details) as saved:
            operations.update_group(
                group,
                base_version=form.version(),
                name=form.name.data,
                kind=form.kind.data,
                **{k: getattr(form, k).data for k in DETAILS},
            )
        if saved:
            flash(_("The group's details are saved."), "success")
            return redirect(url_for("groups.detail", group_id=group.id))
    return _page(group, details=form, status=form_status(form))


def stored_details(group: ProponentGroup) -> dict:
    """What the details form's fields hold for this group, as stored."""
    return {name: getattr(group, name) for name in ("name", "kind", *DETAILS)}


@groups_bp.post("/<int:group_id>/members")
@login_required
def add_member(group_id: int):
    group = _load(group_id, "group.manage")
    form = MemberForm(prefix="member")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            member, token = operations.add_or_invite(
                group,
                full_name=form.full_name.data,
                email=form.email.data,
                actor=current_user,
            )
        if saved:
            if token:
                _invitation_sent(group, member, token)
            else:
                flash(_("%(name)s is now a member of the group.", name=member.full_name), "success")
            return redirect(url_for("groups.detail", group_id=group.id))
    return _page(group, member=form, status=422)


def _member(group: ProponentGroup, member_id: int) -> GroupMember:
    member = db.session.get(GroupMember, member_id)
    if member is None or member.group_id != group.id:
        abort(404)
    return member


@groups_bp.post("/<int:group_id>/members/<int:member_id>/remove")
@login_required
def remove_member(group_id: int, member_id: int):
    group = _load(group_id, "group.manage")
    member = _member(group, member_id)
    name = member.full_name
    with transaction():
        operations.remove_member(group, member)
    flash(_("%(name)s is no longer in the group.", name=name), "success")
    return redirect(url_for("groups.detail", group_id=group.id))


@groups_bp.post("/<int:group_id>/members/<int:member_id>/invite")
@login_required
def resend_invitation(group_id: int, member_id: int):
    """Send a new invitation link to someone who has not joined (the old link stops working)."""
    group = _load(group_id, "group.manage")
    member = _member(group, member_id)
    try:
        with transaction():
            token = operations.resend_invitation(group, member, actor=current_user)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("groups.detail", group_id=group.id))
    _invitation_sent(group, member, token, again=True)
    return redirect(url_for("groups.detail", group_id=group.id))


@groups_bp.post("/<int:group_id>/representative")
@login_required
def representative(group_id: int):
    group = _load(group_id, "group.manage")
    form = _representative_form(group, prefix="rep")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            member = _member(group, int(form.member_id.data))
            operations.choose_representative(group, member, actor=current_user)
        if saved:
            flash(
                _("%(name)s now represents the group.", name=group.representative.full_name),
                "success",
            )
            return redirect(url_for("groups.detail", group_id=group.id))
    return _page(group, representative=form, status=422)


def _join_request(group: ProponentGroup, request_id: int) -> JoinRequest:
    """A request to join this group, which the current user may answer."""
    join = db.session.get(JoinRequest, request_id)
    if join is None or join.proposal.group_id != group.id:
        abort(404)
    ensure("join_request.decide", join)
    return join


@groups_bp.post("/<int:group_id>/join-requests/<int:request_id>/accept")
@login_required
def accept_join_request(group_id: int, request_id: int):
    """The representative accepts a request to join: the person becomes a member."""
    group = _load(group_id, "join_requests.view")
    join = _join_request(group, request_id)
    try:
        with transaction():
            consultation.accept_join_request(join, actor=current_user)
    except DomainError as error:
        flash(error.message, "danger")
        return _page(group, status=error.status_code)
    flash(_("%(name)s is now a member of the group.", name=join.user.full_name), "success")
    return redirect(url_for("groups.detail", group_id=group.id, _anchor="join-requests"))


@groups_bp.post("/<int:group_id>/join-requests/<int:request_id>/decline")
@login_required
def decline_join_request(group_id: int, request_id: int):
    """The representative declines a request to join, with an optional reason."""
    group = _load(group_id, "join_requests.view")
    join = _join_request(group, request_id)
    form = DeclineForm(prefix=f"decline-{join.id}")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            consultation.decline_join_request(join, actor=current_user, reason=form.reason.data)
        if not saved:
            return _page(group, decline=(join.id, form), status=saved.error.status_code)
        flash(_("The request of %(name)s is declined.", name=join.user.full_name), "success")
        return redirect(url_for("groups.detail", group_id=group.id, _anchor="join-requests"))
    return _page(group, decline=(join.id, form), status=422)


@groups_bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """An invitation link: log in (or register) with the invited address, then accept."""
    member = operations.invitation_for(token)
    if member is None:
        return render_template("groups/join.html", member=None, token=token), 404
    if operations.invitation_expired(member):
        # Gone for good: the page says so and who can send a new link, and offers nothing else.
        return render_template(
            "groups/join.html",
            member=member,
            token=token,
            expired_on=readable_moment(operations.invitation_expires_at(member)),
        ), 410
    problem = None
    if current_user.is_authenticated:
        if request.method == "POST":
            try:
                with transaction():
                    operations.accept_invitation(member, current_user)
            except DomainError as error:
                problem = error.message
            else:
                flash(_("You have joined %(group)s.", group=member.group.name), "success")
                return redirect(url_for("groups.detail", group_id=member.group_id))
    return render_template("groups/join.html", member=member, token=token, problem=problem), (
        422 if problem else 200
    )

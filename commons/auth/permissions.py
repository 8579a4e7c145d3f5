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


def can(user, action: str, obj=None) -> bool:
    """True when ``user`` (possibly anonymous) may do ``action`` on ``obj``."""
    if action.startswith("fire:"):
        # Lifecycle triggers: the profile's transition table says which roles may fire them.
        from workflows.engine import may_fire

        return obj is not None and may_fire(user, obj, action[5:])
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


@rule("account.manage")
def _account(user, obj):
    return _authenticated(user)


@rule("commons.view")
def _commons_view(user, obj):
    return True


@rule("commons.edit")
def _commons_edit(user, obj):
    return _has(user, Role.OFFICER, Role.ADMIN)


@rule("proposal.create")
def _proposal_create(user, obj):
    return _has(user, Role.CITIZEN)


@rule("proposal.view")
def _proposal_view(user, obj):
    """The public summary: anyone, once the proposal has left the proponent's drafts."""
    if obj.status != "draft":
        return True
    return is_proponent(user, obj)


@rule("proposal.view_private")
def _proposal_view_private(user, obj):
    """Private parts (personal data, attachments, internal history): proponents and staff."""
    if is_proponent(user, obj):
        return True
    return obj.status != "draft" and _has(user, *STAFF)


@rule("proposal.edit")
def _proposal_edit(user, obj):
    return obj.status == "draft" and _authenticated(user) and obj.representative_id == user.id


@rule("pact.edit")
def _pact_edit(user, obj):
    """During co-design the office and the representative edit the pact text."""
    if obj.status != "co_design" or not _authenticated(user):
        return False
    return obj.representative_id == user.id or user.has_role(Role.OFFICER)


@rule("group.manage")
def _group_manage(user, obj):
    return _authenticated(user) and obj.representative_id == user.id


@rule("group.view")
def _group_view(user, obj):
    return obj.has_member(user) or _has(user, *STAFF)


@rule("consultation.comment")
def _consultation_comment(user, obj):
    """Any logged-in person may comment on a proposal while it is under public notice."""
    return _authenticated(user) and obj.status == "public_notice"


@rule("consultation.join")
def _consultation_join(user, obj):
    return _consultation_comment(user, obj) and not is_proponent(user, obj)


@rule("consultation.moderate")
def _consultation_moderate(user, obj):
    return _has(user, Role.OFFICER)


@rule("audit.read")
def _audit_read(user, obj):
    return _has(user, Role.AUDITOR)


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

"""Operations on accounts: they change state, record events and flush; callers commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from commons.audit.operations import append_event
from commons.auth.models import Role, User, UserRole
from commons.auth.passwords import hash_password, password_problem, verify_password
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.groups.models import GroupKind, GroupMember, ProponentGroup
from commons.inputs import refuse_bidi_controls


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    full_name: str,
    password: str,
    roles=(Role.CITIZEN,),
    tax_code: str | None = None,
    locale: str | None = None,
    actor: User | None = None,
    check_strength: bool = True,
    verified: bool = True,
) -> User:
    """Create an account. Refuses a taken e-mail or a weak password, naming the field.

    Accounts made by an administrator, the CLI or the demo are ``verified``; a citizen's own
    registration is not until the e-mailed link is followed.
    """
    email = normalise_email(email)
    full_name = full_name.strip()
    if not full_name:
        raise DomainError(_("Enter your full name."), field="full_name")
    refuse_bidi_controls(full_name, "full_name")
    if find_user_by_email(email) is not None:
        raise DomainError(_("An account with this e-mail address already exists."), field="email")
    if check_strength:
        problem = password_problem(password, email=email, full_name=full_name)
        if problem:
            raise DomainError(problem, field="password")
    user = User(
        email=email,
        full_name=full_name,
        tax_code=tax_code or None,
        locale=locale,
        password_hash=hash_password(password),
        email_verified_at=utcnow() if verified else None,
    )
    user.role_rows = [UserRole(role=Role(r).value) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    append_event(
        "user_created",
        actor=actor or user,
        actor_role=_main_role(actor),
        payload={"user_id": user.id, "roles": sorted(r.value for r in user.roles)},
        public=False,
    )
    return user


def _main_role(user: User | None) -> str | None:
    if user is None:
        return None
    for role in (Role.ADMIN, Role.LEGAL, Role.OFFICER, Role.AUDITOR, Role.CITIZEN):
        if role in user.roles:
            return role.value
    return None


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, else None (never says which was wrong)."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so response time does not reveal accounts.
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    if "h" not in _DUMMY:
        _DUMMY["h"] = hash_password("not-a-real-password-dummy")
    return _DUMMY["h"]


def change_password(user: User, *, current: str, new: str) -> None:
    """Change the password and the session token, so every other session is logged out."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_("The current password is not right."), field="current_password")
    problem = password_problem(new, email=user.email, full_name=user.full_name)
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    append_event(
        "password_changed",
        actor=user,
        actor_role=_main_role(user),
        payload={"user_id": user.id},
        public=False,
    )
    db.session.flush()


def end_all_sessions(user: User) -> None:
    """End every session and remember cookie of the user, on every device.

    Both carry the user's session generation (``User.get_id``); the login manager's loader
    refuses one whose generation is not the current one, so bumping it is enough.
    """
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()


def update_profile(user: User, *, full_name: str, tax_code: str | None, locale: str | None):
    full_name = full_name.strip()
    if not full_name:
        raise DomainError(_("Enter your full name."), field="full_name")
    refuse_bidi_controls(full_name, "full_name")
    user.full_name = full_name
    user.tax_code = (tax_code or "").strip().upper() or None
    user.locale = locale or None
    db.session.flush()


def set_roles(user: User, roles, *, actor: User) -> None:
    """Give the user exactly these roles. An admin cannot remove their own admin role."""
    wanted = {Role(r) for r in roles}
    if not wanted:
        raise DomainError(_("A user needs at least one role."), field="roles")
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in wanted:
        raise DomainError(_("You cannot remove your own administrator role."), field="roles")
    before = sorted(r.value for r in user.roles)
    keep = [r for r in user.role_rows if Role(r.role) in wanted]
    have = {Role(r.role) for r in keep}
    user.role_rows = keep + [UserRole(role=r.value) for r in sorted(wanted - have)]
    db.session.flush()
    after = sorted(r.value for r in wanted)
    if before != after:
        append_event(
            "roles_changed",
            actor=actor,
            actor_role=_main_role(actor),
            payload={"user_id": user.id, "before": before, "after": after},
            public=False,
        )


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Activate or deactivate an account; deactivating also ends its sessions."""
    if user.id == actor.id and not active:
        raise DomainError(_("You cannot deactivate your own account."), field="active")
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(user)
    append_event(
        "user_activated" if active else "user_deactivated",
        actor=actor,
        actor_role=_main_role(actor),
        payload={"user_id": user.id},
        public=False,
    )
    db.session.flush()


def create_group(
    *,
    name: str,
    kind: str,
    representative: User,
    tax_code: str | None = None,
    address: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> ProponentGroup:
    """Create a proponent group with the user as its representative."""
    if not name.strip():
        raise DomainError(_("Enter the group's name."), field="name")
    refuse_bidi_controls(name, "name")
    group = ProponentGroup(
        name=name.strip(),
        kind=GroupKind(kind).value,
        tax_code=(tax_code or "").strip().upper() or None,
        address=address,
        email=email,
        phone=phone,
        representative=representative,
    )
    db.session.add(group)
    db.session.flush()
    return group


def add_member(
    group: ProponentGroup,
    *,
    full_name: str,
    email: str,
    user: User | None = None,
    tax_code: str | None = None,
    address: str | None = None,
) -> GroupMember:
    """Add a member to a group, linked to an account when the e-mail belongs to one."""
    email = normalise_email(email)
    if any(m.email == email for m in group.members):
        raise DomainError(_("This person is already a member of the group."), field="email")
    refuse_bidi_controls(full_name, "full_name")
    user = user or find_user_by_email(email)
    member = GroupMember(
        full_name=full_name.strip(),
        email=email,
        user=user,
        tax_code=tax_code,
        address=address,
        joined_at=utcnow() if user else None,
    )
    group.members.append(member)
    db.session.flush()
    return member


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0

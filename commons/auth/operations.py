"""Operations on accounts: they change state, record events and flush; callers commit."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from commons.audit.operations import append_event
from commons.auth import tokens
from commons.auth.models import AccountToken, Role, TokenPurpose, User, UserRole
from commons.auth.passwords import hash_password, password_problem, verify_password
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.groups.models import GroupKind, GroupMember, ProponentGroup
from commons.inputs import refuse_bidi_controls
from commons.links import public_link
from commons.payloads import readable_moment


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
    for role in (Role.ADMIN, Role.LEGAL, Role.OFFICER, Role.AUDITOR, Role.EVALUATOR, Role.CITIZEN):
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
    tax_code = (tax_code or "").strip().upper() or None
    if user.tax_code_confirmed_by and tax_code != user.tax_code:
        raise DomainError(
            _(
                "Your tax code was confirmed by your digital identity and cannot be changed "
                "here. Ask the office if it is wrong."
            ),
            field="tax_code",
        )
    user.tax_code = tax_code
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
    """Add a member to a group, linked to an account when the e-mail is its confirmed one."""
    email = normalise_email(email)
    if any(m.email == email for m in group.members):
        raise DomainError(_("This person is already a member of the group."), field="email")
    refuse_bidi_controls(full_name, "full_name")
    if user is None:
        found = find_user_by_email(email)
        user = found if found is not None and found.email_verified else None
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


# --- e-mailed account links: password reset, address confirmation (issue 16) ---------------


def _mail(user: User, *, kind: str, key: str, email: str, write) -> None:
    """Queue an e-mail to ``email`` only (not shown in-app), written in the user's language.

    ``write`` returns (subject, body) under that language.
    """
    from flask_babel import force_locale

    from commons.notifications.operations import new_notification

    locale = user.locale if user.locale in current_app.config["LANGUAGES"] else None
    locale = locale or current_app.config.get("CITY_LANGUAGE") or "en"
    with force_locale(locale):
        subject, body = write()
    new_notification(kind=kind, dedup_key=key, subject=subject, body=body, recipient_email=email)
    db.session.flush()


def _city() -> str:
    return current_app.config["CITY_NAME"]


def request_password_reset(email: str) -> None:
    """Mail a reset link to the account with this address, if there is one (and it is active).

    The caller answers the same whatever happens here; without an account a secret is still
    made, so the work done is alike.
    """
    user = find_user_by_email(email)
    # An account opened with a digital identity, whose address its provider did not vouch for
    # and nobody confirmed, gets no link: whoever reads that mailbox is not known to be them.
    unproven = user is not None and not user.has_password and not user.email_verified
    if user is None or not user.active or unproven:
        tokens.new_secret()
        return
    hours = int(current_app.config["RESET_TOKEN_HOURS"])
    secret, token = tokens.issue(user, TokenPurpose.RESET, hours=hours)
    link = public_link("auth.reset_password", token=secret)
    _mail(
        user,
        kind="account_reset",
        key=f"account:{user.id}:reset:{token.digest[:16]}",
        email=user.email,
        write=lambda: (
            _("Set a new password for %(city)s Commons", city=_city()),
            _(
                "Someone, probably you, asked to set a new password for the account "
                "%(email)s. Open this link to choose it: %(link)s",
                email=user.email,
                link=link,
            )
            + "\n\n"
            + _(
                "The link works once, until %(when)s. If you did not ask, ignore this "
                "message: your password stays as it is.",
                when=readable_moment(token.expires_at),
            ),
        ),
    )


def reset_password(token: AccountToken, new: str) -> User:
    """Set the password a reset link was sent for; the link is spent, every session ends."""
    user = token.user
    problem = password_problem(new, email=user.email, full_name=user.full_name)
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new)
    tokens.spend(token)
    end_all_sessions(user)
    append_event(
        "password_reset",
        actor=user,
        actor_role=_main_role(user),
        payload={"user_id": user.id},
        public=False,
    )
    db.session.flush()
    return user


def send_verification(user: User, email: str | None = None) -> None:
    """Mail a link that confirms ``email`` (default: the account's address) for the user."""
    email = normalise_email(email or user.email)
    hours = int(current_app.config["VERIFY_TOKEN_HOURS"])
    secret, token = tokens.issue(user, TokenPurpose.VERIFY, hours=hours, email=email)
    link = public_link("auth.verify_email", token=secret)
    _mail(
        user,
        kind="account_verify",
        key=f"account:{user.id}:verify:{token.digest[:16]}",
        email=email,
        write=lambda: (
            _("Confirm your e-mail address for %(city)s Commons", city=_city()),
            _(
                "Open this link to confirm that %(email)s is your address: %(link)s",
                email=email,
                link=link,
            )
            + "\n\n"
            + _(
                "The link works once, until %(when)s. If you did not ask, ignore this message.",
                when=readable_moment(token.expires_at),
            ),
        ),
    )


def resend_verification(user: User) -> None:
    """Send again the link for the address waiting to be confirmed (a new one, or the account's)."""
    pending = tokens.pending_email(user)
    if pending is None and user.email_verified:
        raise DomainError(_("Your e-mail address is already confirmed."))
    send_verification(user, pending)


def confirm_email(token: AccountToken) -> User:
    """The link was opened: its address is confirmed, and becomes the account's if it was new."""
    user = token.user
    email = normalise_email(token.email or user.email)
    if email != user.email:
        other = find_user_by_email(email)
        if other is not None and other.id != user.id:
            raise DomainError(_("Another account uses this e-mail address now."))
        user.email = email
        # The addresses stay out of the hashed history (personal data that must be erasable).
        append_event(
            "email_changed",
            actor=user,
            actor_role=_main_role(user),
            payload={"user_id": user.id},
            public=False,
        )
    user.email_verified_at = utcnow()
    tokens.spend(token)
    return user


def change_email(user: User, *, email: str, password: str) -> None:
    """Ask to use a new address: it is pending, and the old one used, until the link is opened.

    An address another account has gets no link, but the same answer (no enumeration).
    """
    if not verify_password(user.password_hash, password):
        raise DomainError(_("The current password is not right."), field="password")
    email = normalise_email(email)
    if email == user.email:
        raise DomainError(_("This is already your e-mail address."), field="email")
    if find_user_by_email(email) is not None:
        tokens.new_secret()
        return
    send_verification(user, email)


def register(*, email: str, full_name: str, password: str, locale: str | None) -> User | None:
    """A citizen's own registration: an unverified account and the link to confirm it.

    An address that already has an account gets no second one: its owner is mailed instead,
    and the caller answers as for a new account, so the page tells nobody who is registered.
    Returns the new account, or None.
    """
    email = normalise_email(email)
    full_name = full_name.strip()
    if not full_name:
        raise DomainError(_("Enter your full name."), field="full_name")
    refuse_bidi_controls(full_name, "full_name")
    problem = password_problem(password, email=email, full_name=full_name)
    if problem:
        raise DomainError(problem, field="password")
    owner = find_user_by_email(email)
    if owner is not None:
        hash_password(password)  # the work a new account costs
        login, reset = public_link("auth.login"), public_link("auth.forgot_password")
        _mail(
            owner,
            kind="account_exists",
            key=f"account:{owner.id}:register-attempt:{tokens.new_secret()[1][:16]}",
            email=owner.email,
            write=lambda: (
                _("Someone tried to register with your address on %(city)s Commons", city=_city()),
                _(
                    "Someone tried to open an account on %(city)s Commons with your e-mail "
                    "address, %(email)s, which already has one. If it was you, log in: "
                    "%(login)s, or set a new password: %(reset)s. If it was not you, ignore "
                    "this message.",
                    city=_city(),
                    email=owner.email,
                    login=login,
                    reset=reset,
                ),
            ),
        )
        return None
    user = create_user(
        email=email,
        full_name=full_name,
        password=password,
        roles=[Role.CITIZEN],
        locale=locale,
        check_strength=False,  # checked above
        verified=False,
    )
    send_verification(user)
    return user


# --- login with an identity provider (SPID, CIE, eIDAS; commons.auth.oidc) ------------------


class IdentityRefused(DomainError):
    """The provider's identity cannot open an account here; the message says why and what to do."""


def _accounts_with_tax_code(fiscal_number: str) -> list[User]:
    return list(db.session.scalars(select(User).where(User.tax_code == fiscal_number).limit(3)))


def login_with_identity(identity) -> User:
    """The account of the person a provider vouched for, found by fiscal number, or a new one.

    - an account whose tax code a provider confirmed before: that one;
    - an account with this tax code typed by its owner, and the same e-mail address, which the
      provider says is verified: that one, and its tax code is now confirmed;
    - no account with this tax code or e-mail address: a new one, with the name and e-mail of
      the claims (the address counts as confirmed only when the provider says it verified it;
      otherwise the usual confirmation link is mailed);
    - otherwise refused: an account is never joined to an identity because only its e-mail
      address, or only a tax code anybody could type, matches. Its owner logs in with the
      password and links the identity from the account page (``link_identity``).
    """
    if not identity.fiscal_number:
        raise IdentityRefused(
            _("The identity provider did not give your fiscal number, so we cannot log you in.")
        )
    found = _accounts_with_tax_code(identity.fiscal_number)
    confirmed = [u for u in found if u.tax_code_confirmed_by]
    if len(confirmed) == 1 or (len(found) == 1 and _same_verified_email(found[0], identity)):
        user = confirmed[0] if len(confirmed) == 1 else found[0]
        if not user.active:
            raise IdentityRefused(_("This account is deactivated. Ask the office."))
        if not user.tax_code_confirmed_by:
            _confirm_tax_code(user, identity)
        user.last_login_at = utcnow()
        db.session.flush()
        return user
    by_email = find_user_by_email(identity.email) if identity.email else None
    if found or by_email is not None:
        raise IdentityRefused(
            _(
                "An account already exists with your fiscal number or your e-mail address, "
                "but it is not yet linked to your digital identity. For your safety we do not "
                "link them by themselves: log in with that account's password, then choose "
                '"Link" under "Digital identity" on your account page. If you cannot, '
                "ask the office."
            )
        )
    if not identity.email:
        raise IdentityRefused(
            _(
                "The identity provider did not give your e-mail address, which an account "
                "needs. Add one to your digital identity, or register with a password."
            )
        )
    name = identity.full_name or identity.fiscal_number
    refuse_bidi_controls(name, "full_name")
    user = User(
        email=identity.email,
        full_name=name,
        tax_code=identity.fiscal_number,
        tax_code_confirmed_by=identity.provider,
        password_hash="",  # none: this person logs in, and signs, with the provider
        email_verified_at=utcnow() if identity.email_verified else None,
        last_login_at=utcnow(),
    )
    user.role_rows = [UserRole(role=Role.CITIZEN.value)]
    db.session.add(user)
    db.session.flush()
    append_event(
        "user_created",
        actor=user,
        actor_role=Role.CITIZEN.value,
        payload={"user_id": user.id, "roles": [Role.CITIZEN.value], "provider": identity.provider},
        public=False,
    )
    if not identity.email_verified:
        send_verification(user)
    return user


def _same_verified_email(user: User, identity) -> bool:
    return bool(identity.email_verified and identity.email and identity.email == user.email)


def _confirm_tax_code(user: User, identity) -> None:
    user.tax_code = identity.fiscal_number
    user.tax_code_confirmed_by = identity.provider
    append_event(
        "identity_linked",
        actor=user,
        actor_role=_main_role(user),
        payload={"user_id": user.id, "provider": identity.provider},
        public=False,
    )
    db.session.flush()


def link_identity(user: User, identity) -> None:
    """The logged-in owner of an account proved a digital identity: it becomes the account's.

    Refused when it belongs to another account already, or the account's tax code was
    confirmed as someone else's.
    """
    if not identity.fiscal_number:
        raise IdentityRefused(
            _("The identity provider did not give your fiscal number, so we cannot link it.")
        )
    if user.tax_code_confirmed_by and user.tax_code != identity.fiscal_number:
        raise IdentityRefused(
            _("Your account is linked to another fiscal number. Ask the office if it is wrong.")
        )
    taken = [
        u
        for u in _accounts_with_tax_code(identity.fiscal_number)
        if u.id != user.id and u.tax_code_confirmed_by
    ]
    if taken:
        raise IdentityRefused(
            _("This digital identity is linked to another account already. Ask the office.")
        )
    if user.tax_code_confirmed_by == identity.provider:
        return
    _confirm_tax_code(user, identity)

"""Routes for login, registration, the account page and user administration."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME
from sqlalchemy import or_, select

from commons.auth import attempts, operations, reauth, tokens
from commons.auth.forms import (
    AdminCreateUserForm,
    EmailChangeForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    LogoutEverywhereForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    ResendForm,
    ResetPasswordForm,
    UserRolesForm,
)
from commons.auth.models import Role, TokenPurpose, User, UserRole
from commons.auth.permissions import permission_required
from commons.auth.timing import answer_floor
from commons.errors import DomainError
from commons.extensions import db, limiter
from commons.forms import FormTransaction, form_status, render_form
from commons.privacy import operations as privacy
from commons.transactions import transaction

auth_bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


def _safe_next(default: str) -> str:
    """Follow ?next= only to a path on this site."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@auth_bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password; wrong passwords are limited per account and address."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        attempts.refuse_when_exhausted(form.email.data)
        with transaction():  # the time of this login, when it is one
            user = operations.authenticate(form.email.data, form.password.data)
        if user is None:
            attempts.record_failure(form.email.data)
            form.form_errors.append(_("The e-mail address or the password is not right."))
        else:
            login_user(user, remember=form.remember.data)
            reauth.remember_session(user, None, None)  # a password session
            session.pop("locale", None)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(_safe_next(url_for("public.home")))
    return render_form("auth/login.html", form=form)


@auth_bp.post("/logout")
def logout():
    """Log out: the session and the remember cookie are refused from now on, even if copied."""
    if current_user.is_authenticated:
        with transaction():
            operations.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))


@auth_bp.post("/account/sessions/end")
@permission_required("account.manage")
def end_sessions():
    """Log out everywhere: every session and remember cookie of the account, this one too."""
    if not LogoutEverywhereForm().validate_on_submit():
        abort(400)
    with transaction():
        operations.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("auth.login"))


@auth_bp.route("/register", methods=["GET", "POST"])
def register():
    """Citizens open their own account, confirmed by the link mailed to them.

    A new address and one that already has an account get the same answer page (the owner of
    the second is mailed instead), so the page tells nobody who is registered.
    """
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = RegistrationForm()
    if request.method == "GET":
        form.locale.data = str(_locale())
    notice = privacy.notice(str(_locale()))
    if form.validate_on_submit():
        with answer_floor(), FormTransaction(form) as saved:
            privacy.refuse_changed_notice(form.notice_version.data)
            user = operations.register(
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data,
                locale=form.locale.data,
            )
            if user is not None:
                privacy.acknowledge(user, context="register")
        if saved:
            return _check_your_email(
                _(
                    "We sent a message to %(email)s. Open the link in it to confirm your "
                    "address; then log in.",
                    email=operations.normalise_email(form.email.data),
                ),
                next_url=_safe_next(""),
            )
    if form.notice_version.data != str(notice.version):
        form.privacy.data = False  # a newer notice than the one ticked: read it first
    form.notice_version.data = str(notice.version)
    return render_form("auth/register.html", form=form, notice=notice)


def _check_your_email(message: str, next_url: str = ""):
    """The answer page that says a mail is on its way; its login link keeps ``next_url``."""
    return render_template("auth/check_email.html", message=message, next_url=next_url)


def _link_gone():
    return render_template("auth/link_gone.html"), 410


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _reset_client_limit() -> str:
    """Four times the per-address limit, per client: a household or an office shares one."""
    parts = []
    for part in _reset_limit().split(";"):
        amount, _sep, rest = part.strip().partition(" ")
        parts.append(f"{int(amount) * 4} {rest}")
    return ";".join(parts)


def _reset_address() -> str:
    return "reset:" + operations.normalise_email(request.form.get("email") or "")


@auth_bp.route("/account/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_client_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_reset_address)
def forgot_password():
    """Ask for a password reset link; the answer is the same whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with answer_floor(), transaction():
            operations.request_password_reset(form.email.data)
        return _check_your_email(
            _(
                "If an account exists for %(email)s, we sent it a link to set a new password. "
                "It works once, for a short time.",
                email=operations.normalise_email(form.email.data),
            )
        )
    return render_form("auth/forgot.html", form=form)


@auth_bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The e-mailed link: choose a new password; then every session of the account ends."""
    link = tokens.usable(token, TokenPurpose.RESET)
    if link is None:
        return _link_gone()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.reset_password(link, form.new_password.data)
        if saved:
            if current_user.is_authenticated:
                logout_user()
            flash(
                _("Your password is changed and every session is logged out. Log in with it."),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_form("auth/reset.html", form=form, email=link.user.email)


@auth_bp.get("/account/verify/<token>")
def verify_email(token: str):
    """The e-mailed link that confirms an address (a new account's, or a new one)."""
    link = tokens.usable(token, TokenPurpose.VERIFY)
    if link is None:
        return _link_gone()
    try:
        with transaction():
            user = operations.confirm_email(link)
    except DomainError as refused:
        flash(refused.message, "danger")
        return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))
    flash(_("Your e-mail address %(email)s is confirmed.", email=user.email), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("auth.account"))
    return redirect(url_for("auth.login"))


@auth_bp.post("/account/verify")
@permission_required("account.manage")
@limiter.limit(_reset_limit)
def resend_verification():
    """ "Send the link again": a new confirmation link for the address waiting for one."""
    form = ResendForm()
    if form.validate_on_submit():
        try:
            with transaction():
                operations.resend_verification(current_user)
        except DomainError as refused:
            flash(refused.message, "info")
        else:
            flash(_("We sent the link again. It works once."), "success")
    return redirect(url_for("auth.account"))


@auth_bp.post("/account/email")
@permission_required("account.manage")
def change_email():
    """Ask to use a new address: the old one stays in use until the link sent to it is opened."""
    form = EmailChangeForm(prefix="email")
    if form.validate_on_submit():
        with answer_floor(), FormTransaction(form) as saved:
            operations.change_email(
                current_user, email=form.email.data, password=form.password.data
            )
        if saved:
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes when you open it; "
                    "until then we keep writing to %(old)s.",
                    email=operations.normalise_email(form.email.data),
                    old=current_user.email,
                ),
                "success",
            )
            return redirect(url_for("auth.account"))
    return _account_page(ProfileForm(obj=current_user), email_form=form)


def _locale():
    from flask_babel import get_locale

    return get_locale()


@auth_bp.route("/account", methods=["GET", "POST"])
@permission_required("account.manage")
def account():
    """The account page: personal details and language."""
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.update_profile(
                current_user,
                full_name=form.full_name.data,
                tax_code=form.tax_code.data,
                locale=form.locale.data,
            )
        if saved:
            flash(_("Your details are saved."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(form)


def _account_page(form, *, email_form=None):
    email_form = email_form or EmailChangeForm(prefix="email")
    page = render_template(
        "auth/account.html",
        form=form,
        password_form=PasswordChangeForm(),
        email_form=email_form,
        logout_everywhere_form=LogoutEverywhereForm(),
        resend_form=ResendForm(),
        pending_email=tokens.pending_email(current_user),
    )
    return page, max(form_status(form), form_status(email_form))


@auth_bp.route("/account/password", methods=["GET", "POST"])
@permission_required("account.manage")
def change_password():
    """Change the password; every other session of this account is logged out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        attempts.refuse_when_exhausted(current_user.email)
        with FormTransaction(form) as saved:
            operations.change_password(
                current_user, current=form.current_password.data, new=form.new_password.data
            )
        if not saved and saved.error is not None and saved.error.field == "current_password":
            attempts.record_failure(current_user.email)  # a wrong current password
        if saved:
            # Keep this session (and its remember cookie, if it had one): issue them again with
            # the new session generation; every other one is refused from now on.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
            login_user(current_user._get_current_object(), remember=cookie in request.cookies)
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return render_form("auth/password.html", form=form)


@auth_bp.post("/language")
def set_language():
    """Switch language; remembered on the account when logged in, else in the session."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            with transaction():
                current_user.locale = form.locale.data
    return redirect(_safe_next(url_for("public.home")))


# --- administration -------------------------------------------------------------------------


@admin_bp.get("/users")
@permission_required("admin.users")
def users():
    """All accounts, searchable by name or e-mail and filterable by role."""
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    stmt = select(User).order_by(User.full_name, User.id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(User.email.like(like), User.full_name.ilike(like)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    rows = db.session.scalars(stmt.limit(500)).all()
    return render_template("admin/users.html", users=rows, q=q, role=role, roles=list(Role))


@admin_bp.route("/users/new", methods=["GET", "POST"])
@permission_required("admin.users")
def create_user():
    form = AdminCreateUserForm()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            user = operations.create_user(
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data,
                roles=form.roles.data,
                actor=current_user,
            )
        if saved:
            flash(_("Account created for %(name)s.", name=user.full_name), "success")
            return redirect(url_for("admin.users"))
    return render_form("admin/user_new.html", form=form)


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required("admin.users")
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserRolesForm()
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
        form.active.data = user.active
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.set_roles(user, form.roles.data, actor=current_user)
            operations.set_active(user, form.active.data, actor=current_user)
        if saved:
            flash(_("Changes to %(name)s saved.", name=user.full_name), "success")
            return redirect(url_for("admin.users"))
    return render_form("admin/user_edit.html", form=form, user=user)

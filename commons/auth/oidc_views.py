"""Login with SPID, CIE, eIDAS through OpenID Connect: start, callback, link, fresh login.

One callback per provider serves every purpose; what the login was for is kept in the session
while the person is at the provider (``session["oidc_flow"]``):

- ``login``: log in, or open an account (``operations.login_with_identity``);
- ``link``: the logged-in owner of an account links their digital identity to it;
- a purpose registered by another area with ``on_fresh_login`` (``sign``: sign a pact): a new
  login at the provider (``prompt=login``, ``max_age=0``) of the same person, made after the
  action was asked for; the handler gets the data kept for it and the proof of the fresh login
  (commons/auth/reauth.py).

Whatever goes wrong at the provider or in its answer (refused, cancelled, a state or nonce that
does not match, a signature that does not verify, a level of assurance too low) answers with a
page that says so, never a 500. The callback is rate-limited per client address like the login.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from authlib.common.errors import AuthlibBaseError
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
from flask_login import current_user, login_user
from requests import RequestException

from commons.auth import oidc, operations, reauth
from commons.auth.forms import LogoutEverywhereForm
from commons.auth.permissions import permission_required
from commons.extensions import limiter
from commons.links import public_link
from commons.transactions import transaction

log = logging.getLogger(__name__)

oidc_bp = Blueprint("oidc", __name__, url_prefix="/login/id")

# A fresh login must have happened after it was asked for; this much clock difference between
# the provider and the registry is forgiven.
CLOCK_LEEWAY = 60
FRESH_LOGINS: dict[str, Callable] = {}


def on_fresh_login(purpose: str):
    """Register ``handler(data, proof)``, run when a fresh login made for ``purpose`` is back."""

    def register(handler):
        FRESH_LOGINS[purpose] = handler
        return handler

    return register


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _provider_or_404(name: str) -> oidc.Provider:
    return oidc.providers().get(name) or abort(404)


def _safe_next(target: str | None) -> str:
    target = target or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("public.home")


def _redirect_to(provider: oidc.Provider, flow: dict, **extra):
    flow.update(provider=provider.name, started=int(time.time()))
    session["oidc_flow"] = flow
    params = provider.authorize_params()
    params.update(extra)
    try:
        return oidc.client(provider.name).authorize_redirect(
            public_link("oidc.callback", name=provider.name), **params
        )
    except (AuthlibBaseError, RequestException, ValueError, KeyError) as error:
        log.warning("identity provider %s unreachable: %s", provider.name, error)
        session.pop("oidc_flow", None)
        return _failed(
            provider,
            _(
                "%(provider)s cannot be reached now. Try again in a few minutes, or log in "
                "with your password.",
                provider=provider.label,
            ),
            503,
        )


def start_fresh_login(name: str, purpose: str, data: dict):
    """Send the logged-in person to provider ``name`` to log in again, for ``purpose``."""
    provider = _provider_or_404(name)
    flow = {"purpose": purpose, "user": current_user.id, "data": data}
    return _redirect_to(provider, flow, prompt="login", max_age=0)


@oidc_bp.post("/<name>")
@limiter.limit(_login_limit)
def start(name: str):
    """The "Log in with SPID" button: off to the provider, with state, nonce and PKCE."""
    provider = _provider_or_404(name)
    if not LogoutEverywhereForm().validate_on_submit():  # a form with only the CSRF token
        abort(400)
    return _redirect_to(provider, {"purpose": "login", "next": request.form.get("next")})


@oidc_bp.post("/<name>/link")
@permission_required("account.manage")
def link(name: str):
    """Link the digital identity at provider ``name`` to the logged-in account."""
    provider = _provider_or_404(name)
    if not LogoutEverywhereForm().validate_on_submit():
        abort(400)
    return _redirect_to(
        provider, {"purpose": "link", "user": current_user.id}, prompt="login", max_age=0
    )


def _failed(provider: oidc.Provider, message: str, status: int, *, back: str | None = None):
    page = render_template("auth/oidc_failed.html", provider=provider, message=message, back=back)
    return page, status


def _identity(provider: oidc.Provider) -> oidc.Identity:
    """The checked identity in the provider's answer to this request (raises on any problem)."""
    app = oidc.client(provider.name)
    token = app.authorize_access_token()
    claims = dict(token.get("userinfo") or {})
    if "userinfo_endpoint" in app.load_server_metadata():
        extra = dict(app.userinfo(token=token))
        if extra.get("sub") != claims.get("sub"):
            raise ValueError("userinfo is about another subject")
        # The signed ID token's own claims (sub, acr, auth_time) win over the userinfo's.
        claims = {**extra, **claims}
    return oidc.identity_from(provider, claims)


def _problem(provider: oidc.Provider, error: Exception) -> tuple[str, int]:
    """What to tell the person about a failed exchange with the provider."""
    from authlib.integrations.base_client import MismatchingStateError, OAuthError

    if isinstance(error, MismatchingStateError):
        return (
            _(
                "This login was not started in this browser, has expired or was already "
                "used. Start again from the login page."
            ),
            400,
        )
    if isinstance(error, OAuthError) and error.error == "access_denied":
        return (
            _("The login at %(provider)s was cancelled or refused.", provider=provider.label),
            403,
        )
    if isinstance(error, OAuthError):
        return (
            _(
                "%(provider)s answered with an error (%(error)s). Try again, or log in with "
                "your password.",
                provider=provider.label,
                error=error.error or error.description or "-",
            ),
            502,
        )
    if isinstance(error, RequestException):
        return (
            _(
                "%(provider)s cannot be reached now. Try again in a few minutes.",
                provider=provider.label,
            ),
            503,
        )
    if isinstance(error, ValueError) and not isinstance(error, AuthlibBaseError):
        return (
            _(
                "The fiscal number or the details %(provider)s gave are not valid, so we "
                "cannot log you in. Ask the office.",
                provider=provider.label,
            ),
            422,
        )
    return (
        _(
            "The answer of %(provider)s could not be verified (it may have been altered or "
            "replayed), so nobody was logged in. Start again from the login page.",
            provider=provider.label,
        ),
        400,
    )


def _level_too_low(provider: oidc.Provider, level: str | None):
    return _failed(
        provider,
        _(
            "%(provider)s confirmed your identity at level %(level)s; this registry needs at "
            "least %(needed)s. Log in again with a credential of that level.",
            provider=provider.label,
            level=oidc.level_label(level) or "-",
            needed=oidc.level_label(provider.min_level),
        ),
        403,
    )


@oidc_bp.get("/<name>/callback")
@limiter.limit(_login_limit)
def callback(name: str):
    """The provider sends the person back here with a code (or an error)."""
    provider = _provider_or_404(name)
    flow = session.pop("oidc_flow", None) or {}
    try:
        identity = _identity(provider)
    except Exception as error:  # noqa: BLE001 - any failed exchange answers a page, never a 500
        if not isinstance(error, AuthlibBaseError | RequestException | ValueError):
            log.exception("login with %s failed", provider.name)
        message, status = _problem(provider, error)
        return _failed(provider, message, status)
    if flow.get("provider") != name:  # started for another provider, or not here
        from authlib.integrations.base_client import MismatchingStateError

        return _failed(provider, *_problem(provider, MismatchingStateError()))
    if not provider.level_enough(identity.level):
        return _level_too_low(provider, identity.level)
    purpose = flow.get("purpose")
    if purpose == "login":
        return _log_in(provider, identity, _safe_next(flow.get("next")))
    if not current_user.is_authenticated or current_user.id != flow.get("user"):
        return _failed(provider, _("Log in first, then try again."), 403)
    if purpose == "link":
        return _link(provider, identity)
    return _fresh_login(provider, identity, flow)


def _log_in(provider: oidc.Provider, identity: oidc.Identity, next_url: str):
    try:
        with transaction():
            user = operations.login_with_identity(identity)
    except operations.IdentityRefused as refused:
        return _failed(provider, refused.message, 409)
    login_user(user)
    reauth.remember_session(user, provider.name, identity.level)
    session.pop("locale", None)
    flash(_("Welcome, %(name)s.", name=user.full_name), "success")
    if not user.email_verified:
        flash(
            _(
                "Confirm your e-mail address: open the link we sent to %(email)s.",
                email=user.email,
            ),
            "info",
        )
    return redirect(next_url)


def _link(provider: oidc.Provider, identity: oidc.Identity):
    try:
        with transaction():
            operations.link_identity(current_user._get_current_object(), identity)
    except operations.IdentityRefused as refused:
        return _failed(provider, refused.message, 409, back=url_for("auth.account"))
    flash(
        _("Your account is linked to your identity at %(provider)s.", provider=provider.label),
        "success",
    )
    return redirect(url_for("auth.account"))


def _fresh_login(provider: oidc.Provider, identity: oidc.Identity, flow: dict):
    handler = FRESH_LOGINS.get(flow.get("purpose") or "")
    if handler is None:
        abort(404)
    user = current_user._get_current_object()
    data = flow.get("data") or {}
    back = data.get("back")
    if not user.tax_code_confirmed_by or identity.fiscal_number != user.tax_code:
        return _failed(
            provider,
            _(
                "You logged in at %(provider)s as another person than this account's. Nothing "
                "was signed.",
                provider=provider.label,
            ),
            403,
            back=back,
        )
    if identity.auth_time is None or identity.auth_time < flow["started"] - CLOCK_LEEWAY:
        return _failed(
            provider,
            _(
                "%(provider)s did not ask for your credentials again, and signing needs a "
                "fresh login. Nothing was signed; try again.",
                provider=provider.label,
            ),
            403,
            back=back,
        )
    return handler(data, reauth.prove(user, provider.name, identity.level))

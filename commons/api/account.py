"""The account sub-page where a user makes and revokes personal access tokens for the API."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from commons import limits
from commons.api.models import ApiToken
from commons.api.operations import create_token, revoke_token, tokens_of
from commons.auth.permissions import permission_required
from commons.extensions import db
from commons.forms import FormTransaction, strip
from commons.transactions import transaction

api_tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name of the token"),
        description=_l("What will use it, e.g. “protocol system” or “open data portal”."),
        filters=[strip],
        validators=[DataRequired(_l("Give the token a name.")), limits.MaxChars(limits.SHORT)],
    )


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking is a POST from the account's own page."""


def _page(form, secret=None, status=200):
    g.no_store = True  # the page may show a secret once: never cache it
    return render_template(
        "api/tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=tokens_of(current_user),
        secret=secret,
    ), status


@api_tokens_bp.get("")
@permission_required("account.manage")
def tokens():
    """Your access tokens: name, when made and last used, revoked or not."""
    return _page(TokenForm())


@api_tokens_bp.post("")
@permission_required("account.manage")
def create():
    """Make a token; its secret is shown on this answer only."""
    form = TokenForm()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            token, secret = create_token(current_user, name=form.name.data)
        if saved:
            flash(
                _(
                    "Token “%(name)s” made. Copy it now: it will not be shown again.",
                    name=token.name,
                ),
                "success",
            )
            return _page(TokenForm(formdata=None), secret=secret, status=201)
    return _page(form, status=422)


@api_tokens_bp.post("/<int:token_id>/revoke")
@permission_required("account.manage")
def revoke(token_id: int):
    """Revoke one of your tokens; programs using it are refused from now on."""
    form = RevokeForm()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    with transaction():
        revoke_token(token, actor=current_user)
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("api_tokens.tokens"))

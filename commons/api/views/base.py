"""The API's blueprint and what every endpoint shares: authentication by token, the request's
transaction, the problem answers, loading an object (404) and ``ensure`` (401/403), pages."""

from __future__ import annotations

import functools
import http
import logging

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_smorest import Blueprint
from sqlalchemy.exc import SQLAlchemyError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from commons.api.errors import from_domain_error, from_http_exception, problem
from commons.api.operations import find_token, mark_used
from commons.auth.permissions import can
from commons.errors import DomainError, NotFound, PermissionDenied
from commons.extensions import db
from commons.limits import API_BODY_BYTES
from commons.pagination import decode_cursor, encode_cursor
from commons.proposals.models import Proposal
from commons.transactions import discard_step, transaction
from workflows.errors import WorkflowError

log = logging.getLogger(__name__)


class Parser(FlaskParser):
    # Bad input is the client's to fix: 400 with the field errors (422 is for the rules).
    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()


api_bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Commons, proposals and pacts, their lifecycle, documents and audit trail.",
)


def documented_errors(*codes: int):
    """List the problems an operation answers with in the document (all are problem+json)."""

    def decorate(view):
        for code in reversed(codes):
            view = api_bp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorate


class Unauthenticated(PermissionDenied):
    status_code = 401


@api_bp.errorhandler(DomainError)
@api_bp.errorhandler(WorkflowError)
def on_domain_error(error: DomainError | WorkflowError):
    db.session.rollback()
    return from_domain_error(error)


def on_http_error(error: HTTPException):
    if (error.code or 500) >= 500:
        db.session.rollback()
    return from_http_exception(error)


# By status code: the blueprint's handlers come before the site's HTML error pages.
for _code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500):
    api_bp.register_error_handler(_code, on_http_error)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@api_bp.before_request
def limit_body():
    """JSON bodies are small: the API reads at most API_MAX_BODY_BYTES (413 beyond it)."""
    from werkzeug.exceptions import RequestEntityTooLarge

    limit = current_app.config.get("API_MAX_BODY_BYTES", API_BODY_BYTES)
    # Set for a body sent without a length (read up to the limit only); a body that says its
    # length is refused before anything reads it (the app's own checks may have opened the
    # stream already, with the site's larger limit).
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


@api_bp.before_request
def authenticate_request():
    """Bearer token or anonymous; a token that does not work is refused, never ignored."""
    g.api_user = AnonymousUserMixin()
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        if request.method in WRITE_METHODS:
            # Nothing is written anonymously: say so before looking at the body (else a 400
            # about the body would hide that a token is needed at all).
            return problem(401, _("This needs an access token of someone allowed to do it."))
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(401, _("Send the token as: Authorization: Bearer <token>."))
    token = find_token(secret.strip())
    if token is None:
        return problem(
            401, _("This token is not valid: it is wrong, revoked, or its account is disabled.")
        )
    g.api_token = token
    g.api_user = token.user
    return None


def api_transaction(view):
    """The API's request boundary: every API view runs as one transaction.

    ``init_api`` wraps each view of the blueprint with it. The view's operations only flush;
    when the view answers a success (status below 400) the transaction is committed, when it
    answers an error or raises (a DomainError, an abort) it is rolled back, and the error
    handlers answer the problem. A commit refused by a race (StaleDataError, IntegrityError)
    goes to the app's handler, as a 409.
    """

    @functools.wraps(view)
    def run(*args, **kwargs):
        with transaction():
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code >= 400:
                discard_step()  # an error answered without raising keeps nothing either
        return response

    return run


@api_bp.after_request
def note_token_used(response):
    """After the request's own transaction, note the token's use (at most once a minute) and
    commit it, so a request that only reads (or is refused) still records it."""
    token = g.get("api_token")
    if token is not None:
        db.session.rollback()  # nothing of the request is left here but its token
        mark_used(token)
        if db.session.dirty:
            try:
                db.session.commit()
            except SQLAlchemyError:  # not worth failing the answer for
                db.session.rollback()
                log.warning("token %s: last use not recorded", token.id, exc_info=True)
    return response


def user():
    return g.api_user


def ensure(action: str, obj=None) -> None:
    if not can(user(), action, obj):
        if not user().is_authenticated:
            raise Unauthenticated(_("This needs an access token of someone allowed to do it."))
        raise PermissionDenied(_("Your roles do not allow this."))


MAX_ID = 2**31 - 1  # beyond an INTEGER column: nothing can be there


def _get(model, pk):
    obj = db.session.get(model, pk) if 0 < pk <= MAX_ID else None
    if obj is None:
        raise NotFound(_("There is no such item."))
    return obj


def _load_proposal(proposal_id: int, action: str = "proposal.view") -> Proposal:
    proposal = _get(Proposal, proposal_id)
    ensure(action, proposal)
    return proposal


def _cursor(args) -> list | None:
    token = args.get("cursor")
    if not token:
        return None
    values = decode_cursor(token)
    if values is None or len(values) != 2 or "\x00" in str(values):
        raise DomainError(
            _("This cursor is not valid; start again from the first page."), "cursor"
        ) from None
    return values


def _page(rows, limit: int, key) -> dict:
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(key(rows[-1])) if more and rows else None}


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(
            _("This cursor is not valid; start again from the first page."), "cursor"
        ) from None

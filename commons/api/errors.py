"""Errors as ``application/problem+json`` (RFC 9457): type, title, status, detail, errors.

Every refusal of the API goes through ``problem()``, so clients see one shape: 400 with the
field errors, 401, 403, 404, 405, 409 for a stale or conflicting transition, 422 when a rule
of the regulation refuses (naming the rule and what is missing).
"""

from __future__ import annotations

from flask import current_app, json
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from commons.errors import DomainError, StaleVersion
from workflows import GuardRefused, WorkflowError

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Problem types are URNs: stable names a client can switch on; docs/api.md explains each.
TYPE_PREFIX = "urn:commons:problem:"


def _titles() -> dict[int, tuple[str, str]]:
    """Status -> (type slug, title), translated at request time."""
    return {
        400: ("invalid-request", _("The request is not valid")),
        401: ("unauthenticated", _("A valid access token is needed")),
        403: ("forbidden", _("You do not have permission to do this")),
        404: ("not-found", _("Not found")),
        405: ("method-not-allowed", _("This method is not allowed here")),
        409: ("conflict", _("The proposal changed or is not in a state for this")),
        413: ("too-large", _("The request is too large")),
        415: ("unsupported-media-type", _("Send the body as JSON")),
        422: ("rule-refused", _("A rule of the regulation refused the action")),
        429: ("too-many-requests", _("Too many requests")),
        500: ("server-error", _("Something went wrong on our side")),
    }


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict | None = None,
    slug: str | None = None,
    title: str | None = None,
    headers: dict | None = None,
    **extra,
):
    """A problem+json response."""
    default_slug, default_title = _titles().get(status, _titles()[500 if status >= 500 else 400])
    body = {
        "type": TYPE_PREFIX + (slug or default_slug),
        "title": title or default_title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="commons"'
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten(messages) -> dict[str, list[str]]:
    """Webargs errors keyed by location ({"json": {"title": [...]}}) -> {"title": [...]}."""
    if not isinstance(messages, dict):
        return {"_request": [str(messages)]}
    out: dict[str, list[str]] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict) and location in ("json", "query", "view_args", "form"):
            for name, errs in fields.items():
                out[str(name)] = _as_list(errs)
        else:
            out[str(location)] = _as_list(fields)
    return out


def _as_list(errs) -> list[str]:
    if isinstance(errs, list):
        return [e if isinstance(e, str) else json.dumps(e) for e in errs]
    if isinstance(errs, dict):
        return [f"{k}: {'; '.join(_as_list(v))}" for k, v in errs.items()]
    return [str(errs)]


def from_http_exception(error: HTTPException):
    """Werkzeug and webargs errors (webargs puts the field errors in ``error.data``)."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if messages:
        return problem(
            code,
            _("Some fields are missing or not valid; see errors."),
            errors=_flatten(messages),
            headers=data.get("headers"),
        )
    detail = None
    if code == 405:
        detail = _("This method is not allowed on this address.")
    elif code == 404:
        detail = _("There is nothing at this address, or it is not visible to you.")
    elif code == 400:
        detail = _("The request could not be understood; send a JSON body where one is needed.")
    elif code == 413:
        return too_large()
    elif code == 429:
        detail = _("Too many attempts. Please wait a minute and try again.")
    response = problem(code, detail)
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def too_large():
    """413, saying the largest body accepted (``max_bytes``, also in the sentence)."""
    from flask import has_request_context, request

    from commons.limits import number

    limit = request.max_content_length if has_request_context() else None
    limit = limit or current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return problem(413, _("The request body is too large."))
    return problem(
        413,
        _(
            "The request body may be at most %(bytes)s bytes (%(mb)s MB); this one is larger. "
            "Send less at a time: docs/limits.md lists the limit of each field.",
            bytes=number(limit),
            mb=f"{limit / (1024 * 1024):g}",
        ),
        max_bytes=limit,
    )


def from_domain_error(error: DomainError | WorkflowError):
    """Errors raised by operations and the lifecycle engine."""

    if isinstance(error, GuardRefused):
        extra = {"rule": error.rule} if error.rule else {}
        return problem(
            422, error.message, errors={k: [v] for k, v in error.fields.items()} or None, **extra
        )
    if isinstance(error, StaleVersion):
        # Saved by someone else since the client read it: the client re-reads, re-applies.
        return problem(
            409,
            _(
                "Someone else saved a change since version %(sent)s, the one you sent: the "
                "current version is %(current)d. Read it again, then send your change with "
                "expected_version %(current)d.",
                sent=error.sent_version,
                current=error.current_version,
            ),
            slug="stale-version",
            title=_("Changed since you read it"),
            current_version=error.current_version,
        )
    status = error.status_code
    if status == 422 and error.field:
        # An operation refused one input: a field error, as for the schema's own checks.
        return problem(400, error.message, errors={error.field: [error.message]})
    return problem(status, error.message)

"""The JSON API at /api/v1, its OpenAPI 3.1 document and its docs page.

flask-smorest generates the document from the views' marshmallow schemas; it is attached to
our own app factory (no second Flask app). Its error handlers are replaced by ours, which
answer problem+json for the API only and leave the HTML error pages of the site as they are.
"""

from __future__ import annotations

import http

from flask import Flask, render_template
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from commons.api.errors import PROBLEM_MEDIA_TYPE, from_http_exception

API_PREFIX = "/api/v1"


class CommonsApi(Api):
    """flask-smorest's Api with problem+json errors, only on the API's own routes."""

    def _register_error_handlers(self):
        # Not app-wide: the site keeps its HTML error pages (see register_error_handlers).
        return None

    def _register_responses(self):
        from commons.api.schemas import ProblemSchema

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_api(app: Flask) -> None:
    """Register the API blueprint, its document at /api/v1/openapi.json and /api/v1/docs."""
    from commons import extensions as ext
    from commons.api.views import api_bp, api_transaction

    app.config.setdefault("API_TITLE", "Commons API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "The registry's JSON API: the same rules and permissions as the web pages. "
                    "Authenticate with a personal access token made on your account page: "
                    "`Authorization: Bearer <token>`. Errors are application/problem+json."
                ),
            },
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal access token from your account page.",
                    }
                }
            },
            # A token, or nothing for what the public may read.
            "security": [{"bearerAuth": []}, {}],
        },
    )
    api = CommonsApi(app)
    api.register_blueprint(api_bp)
    # One transaction per API request: each view commits on success, rolls back otherwise.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(f"{api_bp.name}."):
            app.view_functions[endpoint] = api_transaction(view)
    # The API authenticates by token only, never by the session cookie, so there is no
    # ambient credential a forged cross-site request could use: CSRF does not apply.
    ext.csrf.exempt(api_bp)
    app.extensions["commons-api"] = api

    def docs():
        return render_template("api/docs.html")

    app.add_url_rule(f"{API_PREFIX}/docs", "api_docs", docs)


def is_api_request() -> bool:
    """The request is for the API (not its HTML docs page): errors answer problem+json."""
    from flask import request

    return request.path.startswith(API_PREFIX + "/") and request.path != f"{API_PREFIX}/docs"


def api_error_response(error: HTTPException):
    """The problem+json answer for an HTTP error on an API address (used by the site handler)."""
    return from_http_exception(error)
